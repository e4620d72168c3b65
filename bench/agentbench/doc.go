// Package agentbench measures the DRIMbox agent: the overhead of the
// admission proxy (mTLS, a certificate check on every request, reverse
// proxying) against a direct TLS connection to the same WADO-RS handler, on
// a 50 MB response and on small requests, and the heap the agent holds for a
// 10,000-entry whitelist. Run bench/agent.sh; the benchmarks are in the
// test files of this package.
package agentbench

//go:build !pkcs11

package main

// pkcs11Built tells the tests whether PKCS#11 tokens are supported.
const pkcs11Built = false

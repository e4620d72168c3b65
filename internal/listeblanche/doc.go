// Package listeblanche models the DRIM-M whitelist ("Liste Blanche"): the
// XML document, published and signed by the trust space operator, that every
// radiology gateway (DRIMbox) downloads to learn which peers it may exchange
// images with.
//
// The package encodes today's ANS format (root ListeBlancheDRIM-M in the
// namespace https://github.com/ansforge/DRIM-M_DATA, versionFormat 1.0.0) and
// parses it together with the two older variants ANS published. It knows
// nothing about signatures: callers must parse only the element tree returned
// by a successful verification (package xmlsig), never the raw file.
package listeblanche

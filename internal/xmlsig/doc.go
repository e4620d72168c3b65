// Package xmlsig signs and verifies the DRIM-M whitelist with an enveloped
// XAdES-BASELINE-B signature (ETSI EN 319 132-1) of the shape ANS's
// eSignSanté service (EU DSS) produces: XML-DSig 1.0 with exclusive
// canonicalisation (xml-exc-c14n), RSA-SHA256, a document reference URI=""
// filtered by the XPath Filter 2.0 transform (subtract /descendant::ds:Signature)
// and a second reference to the XAdES SignedProperties (SigningTime,
// SigningCertificateV2 with SHA-512, DataObjectFormat).
//
// Verify is what a DRIMbox runs on the list it downloaded. It fails closed,
// runs its checks in a fixed order and stops at the first failure with an
// *Error carrying a machine code and a French explanation. Because the
// Filter 2.0 transform removes every ds:Signature from the digested content,
// a document must hold exactly one signature, child of the root; the element
// tree returned on success is the one that was canonicalised and digested,
// so nothing outside the signed content can be read from it, and each value
// is one piece of text (comments are dropped, references and CDATA sections
// merged). Revocation is checked against CRLs the caller gives or, through a
// CRLFetcher (pki.CRLFetcher), CRLs downloaded from the certificates'
// distribution points; a CRL must be signed by the issuer, current at the
// validation time, and not signed with SHA-1, like every certificate of
// the chain.
//
// Documents are read by a strict XML 1.0 parser of this package (UTF-8
// only, no DTD, namespace-well-formed, at most 64 levels of nesting) that
// digests the document while it reads it (a streaming Exclusive C14N 1.0
// writer into SHA-256), so that a 5 MB list is verified in one pass over
// its bytes; the tree it builds leaves out the white space between
// elements. The tests check the parser and the canonicaliser against
// encoding/xml and goxmldsig's canonicaliser, and the signatures against
// xmlsec1 and xadesjs.
//
// Limitation: only the two document transforms ANS uses are accepted
// (XPath Filter 2.0 subtracting /descendant::ds:Signature, or
// enveloped-signature, each followed by exclusive C14N); an
// InclusiveNamespaces prefix list is refused.
//
// Limitation: OCSP is not implemented; revocation is by CRL only, and CRL
// distribution points are followed over HTTP and HTTPS only (not LDAP).
//
// The XAdES DataObjectFormat, when present (eSignSanté gives one, xadesjs
// none), must be the only one and designate the document's reference with
// a MimeType.
//
// The signed signature properties are SigningTime, the signing
// certificate, and the informative place and role. An explicit
// SignaturePolicyIdentifier is refused (its rules are not known here; the
// implied policy is accepted), so a list under a policy fails closed.
//
// Limitation: processing instructions are refused anywhere.
package xmlsig

// Namespaces.
const (
	nsDS      = "http://www.w3.org/2000/09/xmldsig#"
	nsXAdES   = "http://uri.etsi.org/01903/v1.3.2#"
	nsFilter2 = "http://www.w3.org/2002/06/xmldsig-filter2"
	nsXML     = "http://www.w3.org/XML/1998/namespace"
	nsXMLNS   = "http://www.w3.org/2000/xmlns/"
)

// Algorithm identifiers.
const (
	algExcC14N        = "http://www.w3.org/2001/10/xml-exc-c14n#"
	algExcC14NComment = "http://www.w3.org/2001/10/xml-exc-c14n#WithComments"
	algEnveloped      = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
	algFilter2        = "http://www.w3.org/2002/06/xmldsig-filter2"

	algSHA1   = "http://www.w3.org/2000/09/xmldsig#sha1"
	algSHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"
	algSHA384 = "http://www.w3.org/2001/04/xmldsig-more#sha384"
	algSHA512 = "http://www.w3.org/2001/04/xmlenc#sha512"

	algRSASHA1     = "http://www.w3.org/2000/09/xmldsig#rsa-sha1"
	algRSASHA256   = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
	algRSASHA384   = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384"
	algRSASHA512   = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512"
	algECDSASHA1   = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha1"
	algECDSASHA256 = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"
	algECDSASHA384 = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384"
	algECDSASHA512 = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512"

	typeSignedProperties = "http://uri.etsi.org/01903#SignedProperties"

	// filter2Expr is the only XPath expression accepted in a Filter 2.0
	// transform: it removes every XML-DSig signature from the node set.
	filter2Expr = "/descendant::ds:Signature"
)

// Default signer identity: the IGC-Santé ORG SIGN certificate of ANS.
const (
	DefaultSignerCN = "Liste Blanche DRIM-M"
	DefaultSignerOU = "318751275100020"
)

// DefaultMaxSize bounds the size of a document Verify accepts.
const DefaultMaxSize = 64 << 20

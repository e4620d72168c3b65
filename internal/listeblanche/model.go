package listeblanche

import "time"

// Namespaces of the three generations of the list.
const (
	// NamespaceANS is the namespace of today's list, published by ANS on
	// GitHub (ansforge/DRIM-M_DATA).
	NamespaceANS = "https://github.com/ansforge/DRIM-M_DATA"
	// NamespaceMesImages is the namespace of the older lists, which carry a
	// ResponsableContact (and, in the oldest ones, Nom and Description).
	NamespaceMesImages = "https://listeblanche.mesimagesmedicales.fr/schema"
)

// RootName is the local name of the document element of every variant.
const RootName = "ListeBlancheDRIM-M"

// CurrentVersionFormat is the versionFormat written by Encode.
const CurrentVersionFormat = "1.0.0"

// TimeLayout is the layout of every date in the list: UTC, second precision.
const TimeLayout = "2006-01-02T15:04:05Z"

// Format tells which generation of the list a document belongs to.
type Format int

const (
	// FormatUnknown is returned with an error.
	FormatUnknown Format = iota
	// FormatANS is today's format: NamespaceANS, Denomination, no
	// ResponsableContact.
	FormatANS
	// FormatInformatif is the older format in NamespaceMesImages with
	// Denomination and ResponsableContact.
	FormatInformatif
	// FormatNomDescription is the oldest format in NamespaceMesImages, where
	// the operator is named by Nom and Description instead of Denomination.
	FormatNomDescription
)

// String names the format for logs and messages.
func (f Format) String() string {
	switch f {
	case FormatANS:
		return "ans-1.0.0"
	case FormatInformatif:
		return "mesimagesmedicales-informatif"
	case FormatNomDescription:
		return "mesimagesmedicales-nom-description"
	}
	return "inconnu"
}

// Liste is one whitelist: the set of access points (Domaine) that DRIMboxes
// accept as peers, as of DateDeGeneration.
type Liste struct {
	// VersionFormat is the versionFormat attribute of the root element.
	VersionFormat string
	// DateDeGeneration is when the publisher generated the list (UTC).
	DateDeGeneration time.Time
	// Domaines lists the access points in document order.
	Domaines []Domaine
}

// Domaine is one access point of an operator: the pair of FQDNs of a DRIMbox
// and its viewer, and the certificate DN peers must present.
type Domaine struct {
	// Identifiant is the registry identifier of the operator's PACS.
	Identifiant string
	// DB is the FQDN of the DRIMbox (element "db").
	DB string
	// VI is the FQDN of the viewer (element "vi"); it may be empty.
	VI string
	// Denomination is the operator's name. In the oldest format it is read
	// from the element Nom.
	Denomination string
	// Description is the free description of the oldest format; empty in the
	// other formats and never written by Encode.
	Description string
	// DNCertificatOperateur is the distinguished name of the access point's
	// IGC-Santé server certificate, as written by ANS (e.g. "CN=…,OU=…,C=FR").
	DNCertificatOperateur string
	// SupportContact is the service contact published to other operators.
	SupportContact string
	// ResponsableContact is the manager contact of the older formats; empty
	// in today's format and never written by Encode.
	ResponsableContact string
	// DateMAJ is when this entry last changed (UTC).
	DateMAJ time.Time
}

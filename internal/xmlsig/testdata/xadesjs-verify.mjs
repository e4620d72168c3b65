// Independent check of a signed DRIM-M whitelist with xadesjs (npm), used by
// TestInteropXadesjs as a second opinion on Confiance's signatures.
//
//   node xadesjs-verify.mjs [--at RFC3339] FILE ANCHOR.pem...
//
// Exit 0 when the signature holds, 1 when it does not, 2 on usage or I/O
// errors. What is checked: one ds:Signature, child of the root; no SHA-1;
// every reference digest and the signature value (xadesjs); the XAdES
// signing certificate digest against the first KeyInfo certificate; a chain
// from that certificate, through the KeyInfo certificates, to one of the
// anchors, each valid at the given time (now by default).
//
// xadesjs does not implement the XPath Filter 2.0 transform that ANS's
// signatures use; the class below implements the one form they use
// (subtract /descendant::ds:Signature) and refuses any other.

import { readFileSync } from 'node:fs';
import { X509Certificate, createHash } from 'node:crypto';
import { DOMParser, XMLSerializer } from '@xmldom/xmldom';
import { Crypto } from '@peculiar/webcrypto';
import xpath from 'xpath';
import * as xadesjs from 'xadesjs';
import * as xmldsigjs from 'xmldsigjs';

const DSIG = 'http://www.w3.org/2000/09/xmldsig#';
const XADES = 'http://uri.etsi.org/01903/v1.3.2#';
const FILTER2 = 'http://www.w3.org/2002/06/xmldsig-filter2';
const DIGESTS = {
  'http://www.w3.org/2001/04/xmlenc#sha256': 'sha256',
  'http://www.w3.org/2001/04/xmldsig-more#sha384': 'sha384',
  'http://www.w3.org/2001/04/xmlenc#sha512': 'sha512',
};

const CURVES = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' };

class Rejected extends Error {}

function elementChildren(node) {
  return Array.from(node.childNodes).filter((n) => n.nodeType === 1);
}

// SubtractSignatures is XPath Filter 2.0 restricted to
// Filter="subtract" of /descendant::ds:Signature.
class SubtractSignatures extends xmldsigjs.Transform {
  constructor() {
    super();
    this.Algorithm = FILTER2;
  }

  LoadXml(element) {
    super.LoadXml(element);
    const kids = elementChildren(element);
    const xp = kids[0];
    if (kids.length !== 1 || xp.namespaceURI !== FILTER2 || xp.localName !== 'XPath' ||
        xp.getAttribute('Filter') !== 'subtract' ||
        xp.textContent.trim() !== '/descendant::ds:Signature' ||
        xp.lookupNamespaceURI('ds') !== DSIG) {
      throw new Rejected('transformation XPath Filter 2.0 non reconnue');
    }
  }

  GetOutput() {
    const root = this.innerXml;
    for (const sig of Array.from(root.getElementsByTagNameNS(DSIG, 'Signature'))) {
      sig.parentNode.removeChild(sig);
    }
    return root;
  }
}

function registerFilter2() {
  const create = xmldsigjs.CryptoConfig.CreateFromName;
  xmldsigjs.CryptoConfig.CreateFromName = function (name) {
    return name === FILTER2 ? new SubtractSignatures() : create.call(this, name);
  };
}

function parseArgs(argv) {
  let at = new Date();
  if (argv[0] === '--at') {
    at = new Date(argv[1]);
    argv = argv.slice(2);
  }
  if (argv.length < 2 || Number.isNaN(at.getTime())) {
    throw new Error('usage : node xadesjs-verify.mjs [--at RFC3339] FICHIER ANCRE.pem...');
  }
  const anchors = argv.slice(1).map((f) => new X509Certificate(readFileSync(f)));
  return { xml: readFileSync(argv[0], 'utf8'), anchors, at };
}

function theSignature(doc) {
  const sigs = doc.getElementsByTagNameNS(DSIG, 'Signature');
  if (sigs.length !== 1 || sigs[0].parentNode !== doc.documentElement) {
    throw new Rejected(`${sigs.length} signature(s), une seule est attendue sous la racine`);
  }
  for (const el of Array.from(sigs[0].getElementsByTagName('*'))) {
    if (/sha1$/.test(el.getAttribute('Algorithm') || '')) {
      throw new Rejected('algorithme SHA-1 refusé');
    }
  }
  return sigs[0];
}

function keyInfoCertificates(sig) {
  const certs = Array.from(sig.getElementsByTagNameNS(DSIG, 'X509Certificate'))
    .filter((c) => c.parentNode.parentNode.localName === 'KeyInfo')
    .map((c) => Buffer.from(c.textContent.replace(/\s+/g, ''), 'base64'));
  if (certs.length === 0) {
    throw new Rejected('aucun certificat dans KeyInfo');
  }
  return certs;
}

// checkSigningCertificate compares the XAdES CertDigest with the signer.
function checkSigningCertificate(sig, signerDER) {
  const digests = Array.from(sig.getElementsByTagNameNS(XADES, 'CertDigest'));
  const ok = digests.some((d) => {
    const method = d.getElementsByTagNameNS(DSIG, 'DigestMethod')[0];
    const value = d.getElementsByTagNameNS(DSIG, 'DigestValue')[0];
    const alg = method && DIGESTS[method.getAttribute('Algorithm')];
    return alg && value &&
      createHash(alg).update(signerDER).digest('base64') === value.textContent.trim();
  });
  if (!ok) {
    throw new Rejected('SigningCertificate ne désigne pas le certificat du signataire');
  }
}

function validAt(cert, at) {
  if (at < new Date(cert.validFrom) || at > new Date(cert.validTo)) {
    throw new Rejected(`certificat ${cert.subject.replace(/\n/g, ', ')} hors validité`);
  }
}

// checkChain walks from the signer to an anchor through the KeyInfo
// certificates.
function checkChain(ders, anchors, at) {
  const pool = ders.slice(1).map((d) => new X509Certificate(d));
  let cert = new X509Certificate(ders[0]);
  for (let depth = 0; depth < 8; depth++) {
    validAt(cert, at);
    const issuedBy = (c) => cert.checkIssued(c) && cert.verify(c.publicKey);
    const anchor = anchors.find(issuedBy);
    if (anchor) {
      validAt(anchor, at);
      return;
    }
    const next = pool.find((c) => issuedBy(c) && c.fingerprint256 !== cert.fingerprint256);
    if (!next) {
      break;
    }
    cert = next;
  }
  throw new Rejected('le signataire ne remonte à aucune ancre de confiance');
}

async function verify({ xml, anchors, at }) {
  const doc = new DOMParser().parseFromString(xml, 'application/xml');
  const sig = theSignature(doc);
  const ders = keyInfoCertificates(sig);
  const signed = new xadesjs.SignedXml(doc);
  signed.LoadXml(sig);
  let alg = xmldsigjs.CryptoConfig.CreateSignatureAlgorithm(
    signed.XmlSignature.SignedInfo.SignatureMethod).algorithm;
  if (alg.name === 'ECDSA') {
    const curve = new X509Certificate(ders[0]).publicKey.asymmetricKeyDetails.namedCurve;
    alg = { ...alg, namedCurve: CURVES[curve] };
    signed.Algorithm = alg; // Verify imports the key again with it
  }
  const key = await new xmldsigjs.X509Certificate(ders[0]).exportKey(alg);
  if (!(await signed.Verify(key))) {
    throw new Rejected('valeur de signature invalide');
  }
  checkSigningCertificate(sig, ders[0]);
  checkChain(ders, anchors, at);
}

async function main() {
  let args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(e.message);
    return 2;
  }
  xadesjs.setNodeDependencies({ DOMParser, XMLSerializer, xpath });
  xadesjs.Application.setEngine('NodeJS', new Crypto());
  registerFilter2();
  try {
    await verify(args);
  } catch (e) {
    console.log(`rejetée : ${e.message}`);
    return 1;
  }
  console.log('valide');
  return 0;
}

process.exitCode = await main();

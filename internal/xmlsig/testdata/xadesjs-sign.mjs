// Signs a DRIM-M whitelist with xadesjs (npm), so that TestInteropXadesjsSigns
// can check that Confiance's verifier accepts a signature it did not make.
//
//   node xadesjs-sign.mjs [--transform filter2|enveloped] [--at RFC3339]
//       IN OUT KEY.pem SIGNER.pem [CHAIN.pem]...
//
// The signature is XAdES enveloped, as eSignSanté makes it: RSA-SHA256,
// exclusive C14N, the document reference URI="" with the XPath Filter 2.0
// transform (subtract /descendant::ds:Signature) or the enveloped-signature
// transform, then exclusive C14N, SHA-256; the SignedProperties reference
// with SigningTime and SigningCertificateV2 (SHA-512) or, with the
// enveloped-signature transform, SigningCertificate (v1, SHA-256); KeyInfo
// with the signer's certificate then the chain. Exit 0 on success, 2 on
// usage or I/O errors.
//
// xadesjs does not implement Filter 2.0; the class below writes the one form
// ANS uses and is registered under its algorithm URI. xadesjs also leaves
// the SignedProperties reference without transforms (inclusive C14N by
// default); the profile, and Confiance, want exclusive C14N there, which
// AnsSignedXml adds before xadesjs computes the digests.

import { readFileSync, writeFileSync } from 'node:fs';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { DOMParser, DOMImplementation, XMLSerializer } from '@xmldom/xmldom';
import { Crypto } from '@peculiar/webcrypto';
import xpath from 'xpath';
import * as xadesjs from 'xadesjs';
import * as xmldsigjs from 'xmldsigjs';

const DSIG = 'http://www.w3.org/2000/09/xmldsig#';
const FILTER2 = 'http://www.w3.org/2002/06/xmldsig-filter2';
const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';

// SubtractSignatures is XPath Filter 2.0 restricted to Filter="subtract" of
// /descendant::ds:Signature: it writes that XPath element and, when a
// digest is computed, removes every ds:Signature.
class SubtractSignatures extends xmldsigjs.Transform {
  constructor() {
    super();
    this.Algorithm = FILTER2;
  }

  OnGetXml(element) {
    const doc = element.ownerDocument;
    const xp = doc.createElementNS(FILTER2, 'dsig-xpath:XPath');
    xp.setAttributeNS('http://www.w3.org/2000/xmlns/', 'xmlns:ds', DSIG);
    xp.setAttribute('Filter', 'subtract');
    xp.appendChild(doc.createTextNode('/descendant::ds:Signature'));
    element.appendChild(xp);
  }

  GetOutput() {
    const root = this.innerXml;
    for (const sig of Array.from(root.getElementsByTagNameNS(DSIG, 'Signature'))) {
      sig.parentNode.removeChild(sig);
    }
    return root;
  }
}

// AnsSignedXml is xadesjs's SignedXml with the exclusive C14N transform on
// the SignedProperties reference, the last one xadesjs adds.
class AnsSignedXml extends xadesjs.SignedXml {
  async ApplySignOptions(signature, algorithm, key, options) {
    await super.ApplySignOptions(signature, algorithm, key, options);
    const refs = signature.SignedInfo.References;
    const props = refs.Item(refs.Count - 1);
    props.Transforms = new xmldsigjs.Transforms();
    props.Transforms.Add(new xmldsigjs.XmlDsigExcC14NTransform());
  }
}

function registerFilter2() {
  const create = xmldsigjs.CryptoConfig.CreateFromName;
  xmldsigjs.CryptoConfig.CreateFromName = function (name) {
    return name === FILTER2 ? new SubtractSignatures() : create.call(this, name);
  };
}

function parseArgs(argv) {
  const opts = { transform: 'filter2', at: new Date() };
  while (argv[0] === '--transform' || argv[0] === '--at') {
    if (argv[0] === '--at') {
      opts.at = new Date(argv[1]);
    } else {
      opts.transform = argv[1];
    }
    argv = argv.slice(2);
  }
  if (argv.length < 4 || Number.isNaN(opts.at.getTime()) ||
      !['filter2', 'enveloped'].includes(opts.transform)) {
    throw new Error('usage : node xadesjs-sign.mjs [--transform filter2|enveloped] ' +
      '[--at RFC3339] ENTRÉE SORTIE CLÉ.pem SIGNATAIRE.pem [CHAÎNE.pem]...');
  }
  const [input, output, key, ...certs] = argv;
  const der = (f) => new X509Certificate(readFileSync(f)).raw.toString('base64');
  return {
    ...opts,
    xml: readFileSync(input, 'utf8'),
    output,
    pkcs8: createPrivateKey(readFileSync(key)).export({ format: 'der', type: 'pkcs8' }),
    certs: certs.map(der),
  };
}

async function sign({ xml, output, pkcs8, certs, transform, at }) {
  const alg = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
  const key = await xadesjs.Application.crypto.subtle.importKey('pkcs8', pkcs8, alg, false,
    ['sign']);
  const doc = new DOMParser().parseFromString(xml, 'application/xml');
  const signed = new AnsSignedXml();
  signed.XmlSignature.SignedInfo.CanonicalizationMethod.Algorithm = EXC_C14N;
  const filter = transform === 'filter2' ? FILTER2 : 'enveloped';
  const certOption = transform === 'filter2'
    ? { signingCertificateV2: { certificate: certs[0], digestAlgorithm: 'SHA-512' } }
    : { signingCertificate: { certificate: certs[0], digestAlgorithm: 'SHA-256' } };
  const sig = await signed.Sign(alg, key, doc, {
    references: [{ uri: '', hash: 'SHA-256', transforms: [filter, 'exc-c14n'] }],
    x509: certs,
    signingTime: { value: at },
    ...certOption,
  });
  doc.documentElement.appendChild(sig.GetXml());
  writeFileSync(output, new XMLSerializer().serializeToString(doc));
}

async function main() {
  let args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(e.message);
    return 2;
  }
  xadesjs.setNodeDependencies({ DOMParser, DOMImplementation, XMLSerializer, xpath });
  xadesjs.Application.setEngine('NodeJS', new Crypto());
  registerFilter2();
  await sign(args);
  return 0;
}

process.exitCode = await main();

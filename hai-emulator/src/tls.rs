//! HTTPS: the self-signed certificate made at start and the TLS acceptor that serves it.

use std::sync::Arc;

use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::TlsAcceptor;

/// Names the certificate is valid for: the loopback addresses and `localhost`, so a client
/// may connect by any of them and still check the host name.
pub(crate) const CERTIFICATE_NAMES: [&str; 3] = ["127.0.0.1", "::1", "localhost"];

/// A fresh key pair and certificate, and the acceptor serving them.
pub(crate) struct Tls {
    pub acceptor: TlsAcceptor,
    pub certificate_pem: String,
}

/// Makes a new self-signed certificate (a fresh P-256 key each start: nothing to keep secret
/// between runs) and a TLS 1.2/1.3 server configuration offering ALPN `http/1.1`.
pub(crate) fn self_signed() -> Result<Tls, String> {
    let mut params = rcgen::CertificateParams::new(CERTIFICATE_NAMES.map(str::to_owned).to_vec())
        .map_err(|e| format!("certificate parameters: {e}"))?;
    params.distinguished_name = rcgen::DistinguishedName::new();
    params.distinguished_name.push(
        rcgen::DnType::CommonName,
        "hai-emulator (self-signed, loopback)",
    );
    let key = rcgen::KeyPair::generate().map_err(|e| format!("key generation: {e}"))?;
    let cert = params
        .self_signed(&key)
        .map_err(|e| format!("self-signing: {e}"))?;
    let chain = vec![CertificateDer::from(cert.der().to_vec())];
    let private = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
    let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| format!("protocol versions: {e}"))?
    .with_no_client_auth()
    .with_single_cert(chain, private)
    .map_err(|e| format!("server certificate: {e}"))?;
    // The server speaks HTTP/1.1 only; a client offering h2 as well settles on http/1.1.
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Tls {
        acceptor: TlsAcceptor::from(Arc::new(config)),
        certificate_pem: cert.pem(),
    })
}

//! HTTPS: the certificate the emulator makes at start, who can connect with it, and the
//! binary's `--tls` / `--cert-out`.

use std::sync::Arc;
use std::time::Duration;

use hai_emulator::{Emulator, EmulatorConfig, EmulatorHandle};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

use crate::common::{parse, Call, Raw};

async fn https() -> EmulatorHandle {
    Emulator::start(EmulatorConfig::default().tls(true))
        .await
        .expect("the emulator starts with TLS")
}

/// A client configuration trusting `pem` (or nothing), offering h2 and http/1.1 as SDKs do.
fn client_config(pem: Option<&str>) -> rustls::ClientConfig {
    let mut roots = rustls::RootCertStore::empty();
    if let Some(pem) = pem {
        for cert in CertificateDer::pem_slice_iter(pem.as_bytes()) {
            roots.add(cert.expect("PEM decodes")).expect("usable root");
        }
    }
    let mut config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    config
}

/// Connects to `emu` over TLS checking the certificate for `name`; on success sends `call`
/// and returns the negotiated ALPN protocol and the answer.
async fn call_over_tls(
    emu: &EmulatorHandle,
    pem: Option<&str>,
    name: &str,
    call: &Call,
) -> Result<(Vec<u8>, Raw), std::io::Error> {
    let connector = TlsConnector::from(Arc::new(client_config(pem)));
    let tcp = TcpStream::connect(emu.addr()).await?;
    let server_name = ServerName::try_from(name.to_owned()).expect("a valid server name");
    let mut tls = connector.connect(server_name, tcp).await?;
    let alpn = tls.get_ref().1.alpn_protocol().unwrap_or_default().to_vec();
    tls.write_all(&call.to_bytes(emu.addr())).await?;
    let mut buf = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(10), tls.read_to_end(&mut buf))
        .await
        .map_err(|_| std::io::Error::other("timed out"))?;
    // A server that closes without close_notify still delivered a whole answer.
    if let Err(e) = read {
        if e.kind() != std::io::ErrorKind::UnexpectedEof || buf.is_empty() {
            return Err(e);
        }
    }
    Ok((alpn, parse(&buf)))
}

/// The `rustls::Error` inside a handshake failure.
fn rustls_error(e: &std::io::Error) -> &rustls::Error {
    e.get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>())
        .unwrap_or_else(|| panic!("not a rustls error: {e:?}"))
}

#[tokio::test]
async fn the_certificate_covers_every_loopback_name_and_the_server_speaks_http_1_1() {
    let emu = https().await;
    assert_eq!(emu.endpoint(), format!("https://{}", emu.addr()));
    let pem = emu
        .certificate_pem()
        .expect("a TLS emulator has a certificate");
    assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"), "{pem}");

    let describe = Call::new("DescribeInstances", serde_json::json!({}));
    for name in ["127.0.0.1", "localhost", "::1"] {
        let (alpn, raw) = call_over_tls(&emu, Some(pem), name, &describe)
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(alpn, b"http/1.1", "{name}");
        assert_eq!(raw.status, 200);
        assert_eq!(raw.code(), None, "{name}: {:?}", raw.json());
        assert!(raw.json()["Response"]["TotalCount"].as_u64().unwrap() > 0);
    }
}

#[tokio::test]
async fn each_start_makes_a_new_certificate_that_other_emulators_do_not_accept() {
    let a = https().await;
    let b = https().await;
    assert_ne!(a.certificate_pem(), b.certificate_pem());
    let err = call_over_tls(
        &a,
        b.certificate_pem(),
        "127.0.0.1",
        &Call::stop("hai-dunyfddn"),
    )
    .await
    .expect_err("a's certificate is not signed by b's");
    assert!(
        matches!(
            rustls_error(&err),
            rustls::Error::InvalidCertificate(
                rustls::CertificateError::UnknownIssuer | rustls::CertificateError::BadSignature
            )
        ),
        "{err:?}"
    );
    assert_eq!(
        a.instance_state("hai-dunyfddn"),
        Some(hai_emulator::InstanceState::Running)
    );
}

#[tokio::test]
async fn a_client_that_does_not_trust_it_is_refused_and_a_name_outside_it_too() {
    let emu = https().await;
    let err = call_over_tls(&emu, None, "127.0.0.1", &Call::stop("hai-dunyfddn"))
        .await
        .expect_err("no root, no trust");
    assert!(
        matches!(
            rustls_error(&err),
            rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer)
        ),
        "{err:?}"
    );
    let err = call_over_tls(
        &emu,
        emu.certificate_pem(),
        "hai.tencentcloudapi.com",
        &Call::stop("hai-dunyfddn"),
    )
    .await
    .expect_err("the certificate is for loopback names only");
    assert!(
        matches!(
            rustls_error(&err),
            rustls::Error::InvalidCertificate(
                rustls::CertificateError::NotValidForName
                    | rustls::CertificateError::NotValidForNameContext { .. }
            )
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn plain_http_to_the_tls_port_gets_no_answer_and_a_plain_emulator_has_no_certificate() {
    let emu = https().await;
    let mut tcp = TcpStream::connect(emu.addr()).await.unwrap();
    tcp.write_all(&Call::stop("hai-dunyfddn").to_bytes(emu.addr()))
        .await
        .unwrap();
    let mut answer = Vec::new();
    // The TLS server reads no HTTP: it answers with a TLS alert, or just closes.
    let _ = tokio::time::timeout(Duration::from_secs(10), tcp.read_to_end(&mut answer)).await;
    assert!(
        !answer.starts_with(b"HTTP/"),
        "{:?}",
        String::from_utf8_lossy(&answer)
    );
    assert_eq!(
        emu.instance_state("hai-dunyfddn"),
        Some(hai_emulator::InstanceState::Running)
    );
    let plain = Emulator::start(EmulatorConfig::default()).await.unwrap();
    assert_eq!(plain.certificate_pem(), None);
    assert!(plain.endpoint().starts_with("http://"));
}

#[tokio::test]
async fn the_binary_writes_the_certificate_where_told_and_prints_its_path() {
    let dir = std::env::temp_dir().join(format!("hai-emulator-tls-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("cert.pem");
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_hai-emulator"))
        .args(["--tls", "--cert-out"])
        .arg(&out)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("the binary starts");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut seen = Vec::new();
    let endpoint = tokio::time::timeout(Duration::from_secs(30), async {
        while let Some(line) = lines.next_line().await.unwrap() {
            seen.push(line.clone());
            if let Some(e) = line.strip_prefix("hai-emulator listening on ") {
                return e.to_owned();
            }
        }
        panic!("no endpoint line in {seen:?}");
    })
    .await
    .expect("the endpoint is printed");
    assert!(endpoint.starts_with("https://127.0.0.1:"), "{endpoint}");
    // Everything a client needs follows the endpoint line, the region included.
    let mut banner = Vec::new();
    while banner.len() < 3 {
        banner.push(
            lines
                .next_line()
                .await
                .unwrap()
                .expect("the banner goes on"),
        );
    }
    assert_eq!(
        banner[0],
        format!("TENCENTCLOUD_ENDPOINT_URL_HAI={endpoint}")
    );
    assert_eq!(banner[1], "TENCENTCLOUD_REGION=ap-guangzhou", "{banner:?}");
    assert!(
        banner[2].starts_with("TENCENTCLOUD_SECRET_ID="),
        "{banner:?}"
    );
    assert_eq!(
        seen[0],
        format!("hai-emulator certificate (PEM): {}", out.display())
    );
    let pem = std::fs::read(&out).expect("the certificate file exists");
    let certs: Vec<_> = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<_, _>>()
        .expect("PEM decodes");
    assert_eq!(certs.len(), 1);
    child.kill().await.unwrap();
    std::fs::remove_dir_all(&dir).unwrap();

    // --cert-out means nothing without --tls.
    let status = tokio::process::Command::new(env!("CARGO_BIN_EXE_hai-emulator"))
        .args(["--cert-out", "x.pem"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .await
        .unwrap();
    assert_eq!(status.code(), Some(2));
}

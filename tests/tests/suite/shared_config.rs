//! One `Config` builds the clients of two services: HAI's (`hai_sdk::Client`) and a CVM
//! client generated in another crate's build script (`cvm-client-example`). Both share one
//! credentials provider with its cache and one connection pool, and each signs for its own
//! service and version.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use cvm_client_example::cvm;
use hai_sdk::credentials::{
    CachingProvider, Credentials, ProvideCredentials, ProvideCredentialsFuture,
};

/// Temporary credentials valid for an hour; counts how often they are fetched.
#[derive(Debug)]
struct Counting(Arc<AtomicUsize>);

impl ProvideCredentials for Counting {
    fn provide_credentials(&self) -> ProvideCredentialsFuture<'_> {
        self.0.fetch_add(1, Ordering::SeqCst);
        ProvideCredentialsFuture::ready(Ok(Credentials::from_parts(
            "AKIDsharedConfig00000000000000000000",
            "sharedConfigSecretKey000000000000",
            Some("token".into()),
            Some(SystemTime::now() + Duration::from_secs(3600)),
            "counting",
        )))
    }
}

fn config(url: &str, fetches: &Arc<AtomicUsize>) -> hai_sdk::Config {
    hai_sdk::Config::builder()
        .credentials(CachingProvider::new(Counting(fetches.clone())))
        .region("ap-guangzhou")
        .endpoint(url)
        .endpoint_from_env(false)
        .build()
        .expect("the configuration builds")
}

/// One `DescribeRegions` through each client.
async fn both_describe_regions(hai: &hai_sdk::Client, cvm: &cvm::Client) {
    hai.describe_regions(hai_sdk::describe_regions::DescribeRegionsRequest::new())
        .await
        .unwrap();
    cvm.describe_regions(cvm::describe_regions::DescribeRegionsRequest::new())
        .await
        .unwrap();
}

fn answer() -> serde_json::Value {
    serde_json::json!({"Response": {"TotalCount": 0, "RegionSet": [], "ZoneSet": [], "RequestId": "r"}})
}

#[tokio::test]
async fn one_configuration_serves_hai_and_cvm_with_one_fetch_and_one_pool() {
    let server = crate::support::loopback(vec![answer()]).await;
    let fetches = Arc::new(AtomicUsize::new(0));
    let config = config(&server.url, &fetches);
    let hai = hai_sdk::Client::new(&config);
    let cvm = cvm::Client::new(&config);

    // Plain method syntax on each service's own client: HAI's and CVM's `describe_regions`.
    both_describe_regions(&hai, &cvm).await;
    hai.describe_regions(hai_sdk::describe_regions::DescribeRegionsRequest::new())
        .await
        .unwrap();
    cvm.describe_zones(cvm::describe_zones::DescribeZonesRequest::new())
        .await
        .unwrap();

    assert_eq!(fetches.load(Ordering::SeqCst), 1, "one credentials fetch");
    assert_eq!(
        server.connections.load(Ordering::SeqCst),
        1,
        "one pooled connection"
    );
    let seen = server.requests.lock().unwrap().clone();
    let shown: Vec<(Option<&str>, &str, &str)> = seen
        .iter()
        .map(|r| {
            (
                r.signed_service(),
                r.headers["x-tc-version"].as_str(),
                r.headers["x-tc-action"].as_str(),
            )
        })
        .collect();
    assert_eq!(
        shown,
        [
            (Some("hai"), "2023-08-12", "DescribeRegions"),
            (Some("cvm"), "2017-03-12", "DescribeRegions"),
            (Some("hai"), "2023-08-12", "DescribeRegions"),
            (Some("cvm"), "2017-03-12", "DescribeZones"),
        ]
    );
}

/// The contrast that makes the first test mean something: clients with a configuration each
/// fetch credentials and connect each.
#[tokio::test]
async fn separate_configurations_share_nothing() {
    let server = crate::support::loopback(vec![answer()]).await;
    let fetches = Arc::new(AtomicUsize::new(0));
    let hai = hai_sdk::Client::new(&config(&server.url, &fetches));
    let cvm = cvm::Client::new(&config(&server.url, &fetches));
    both_describe_regions(&hai, &cvm).await;
    assert_eq!(fetches.load(Ordering::SeqCst), 2);
    assert_eq!(server.connections.load(Ordering::SeqCst), 2);
}

/// A client made by the service's own builder is the same type as one made from a shared
/// configuration, and exposes the configuration it holds.
#[tokio::test]
async fn a_built_client_shares_its_configuration_with_another_service() {
    let server = crate::support::loopback(vec![answer()]).await;
    let fetches = Arc::new(AtomicUsize::new(0));
    let hai: hai_sdk::Client = hai_sdk::Client::builder()
        .credentials(CachingProvider::new(Counting(fetches.clone())))
        .region("ap-guangzhou")
        .endpoint(&server.url)
        .endpoint_from_env(false)
        .build()
        .unwrap();
    let cvm = cvm::Client::new(hai.config());
    both_describe_regions(&hai, &cvm).await;
    assert_eq!(fetches.load(Ordering::SeqCst), 1);
    assert_eq!(server.connections.load(Ordering::SeqCst), 1);
    assert_eq!(cvm.region(), Some("ap-guangzhou"));
}

/// One endpoint for every service, as `TENCENTCLOUD_ENDPOINT_URL` sets it, pointed at the HAI
/// emulator: the CVM client is told what the emulator serves and what it asked for, and where
/// its own endpoint goes, for an action HAI also has and for one it has not.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cvm_client_pointed_at_the_hai_emulator_is_told_what_it_serves() {
    let emu = crate::support::emulator().await;
    let cred = &emu.credentials()[0];
    let config = hai_sdk::Config::builder()
        .credentials(Credentials::new(&cred.secret_id, &cred.secret_key, None))
        .region("ap-guangzhou")
        .endpoint(emu.endpoint())
        .endpoint_from_env(false)
        .build()
        .expect("the configuration builds");
    let cvm = cvm::Client::new(&config);
    let regions = cvm
        .describe_regions(cvm::describe_regions::DescribeRegionsRequest::new())
        .await
        .expect_err("the HAI emulator does not serve CVM");
    let zones = cvm
        .describe_zones(cvm::describe_zones::DescribeZonesRequest::new())
        .await
        .expect_err("the HAI emulator does not serve CVM");
    for (code, shown) in [
        (regions.code(), regions.to_string()),
        (zones.code(), zones.to_string()),
    ] {
        assert_eq!(code, Some("NoSuchVersion"), "{shown}");
        for part in [
            "serves hai API version 2023-08-12 only",
            "service \"cvm\" (its credential scope) API version \"2017-03-12\"",
            "TENCENTCLOUD_ENDPOINT_URL_CVM",
        ] {
            assert!(shown.contains(part), "no {part:?} in {shown}");
        }
    }
    // The HAI client of the same configuration is served.
    hai_sdk::Client::new(&config)
        .describe_regions(hai_sdk::describe_regions::DescribeRegionsRequest::new())
        .await
        .expect("HAI is served");
}

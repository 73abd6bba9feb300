//! The untyped call by names (`Config::call_by_name`) against the emulator: HAI's actions
//! without their generated types, answered as JSON, and actions or credentials the service
//! refuses, whose codes come back typed as common errors (`AnyActionError`).

use hai_sdk::common_error::{AnyActionError, CommonError};
use hai_sdk::credentials::Credentials;
use hai_sdk::{Client, Config, Error};
use serde_json::json;

use crate::support::*;

fn config_of(client: &Client) -> Config {
    AsRef::<Config>::as_ref(client).clone()
}

/// The common error of a call that must fail with one.
fn common(err: Error<AnyActionError>) -> CommonError {
    match err {
        Error::Service(AnyActionError::Common(c)) => {
            assert!(!c.meta().request_id().is_empty(), "{c:?}");
            c
        }
        other => panic!("expected a common service error, got {other:?}"),
    }
}

e2e_test! {
    async fn hai_actions_by_name_answer_json(scheme) {
        let emu = scheme.emulator().await;
        let config = config_of(&client(&emu));
        let regions = config
            .call_by_name("hai", "2023-08-12", "DescribeRegions", json!({}))
            .errors::<AnyActionError>()
            .await
            .unwrap();
        let listed = regions["RegionSet"].as_array().expect("a RegionSet");
        assert!(
            listed.iter().any(|r| r["Region"] == REGION),
            "{regions}"
        );
        assert!(regions["RequestId"].is_string(), "{regions}");

        let instances = config
            .call_by_name(
                "hai",
                "2023-08-12",
                "DescribeInstances",
                json!({"InstanceIds": [DEMO]}),
            )
            .idempotent(true)
            .await
            .unwrap();
        assert_eq!(instances["TotalCount"], 1, "{instances}");
        assert_eq!(instances["InstanceSet"][0]["InstanceId"], DEMO);
    }
}

e2e_test! {
    async fn refused_calls_by_name_are_typed_common_errors(scheme) {
        let emu = scheme.emulator().await;
        let config = config_of(&client(&emu));
        let call = |action: &str, version: &str| {
            config
                .call_by_name("hai", version, action, json!({}))
                .errors::<AnyActionError>()
        };
        // An action the service does not have.
        let e = common(call("DescribeNothing", "2023-08-12").await.unwrap_err());
        assert!(matches!(e, CommonError::InvalidAction(_)), "{e:?}");
        assert_eq!(e.meta().action(), "DescribeNothing");
        // A version it does not have.
        let e = common(call("DescribeRegions", "2001-01-01").await.unwrap_err());
        assert!(matches!(e, CommonError::NoSuchVersion(_)), "{e:?}");

        // Keys the service does not know.
        let stranger = builder_with(
            &emu,
            Credentials::new("AKIDunknownUntypedCall000000000000000", "nope", None),
        )
        .build()
        .unwrap();
        let e = common(
            config_of(&stranger)
                .call_by_name("hai", "2023-08-12", "DescribeRegions", json!({}))
                .errors::<AnyActionError>()
                .await
                .unwrap_err(),
        );
        assert!(matches!(e, CommonError::AuthFailureSecretIdNotFound(_)), "{e:?}");

        // Signed for another service: the signature does not hold.
        let e = common(
            config
                .call_by_name("cvm", "2023-08-12", "DescribeRegions", json!({}))
                .errors::<AnyActionError>()
                .await
                .unwrap_err(),
        );
        assert!(e.meta().code().starts_with("AuthFailure."), "{e:?}");
    }
}

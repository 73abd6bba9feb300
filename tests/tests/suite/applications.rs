//! Custom applications end to end through the generated client: create one from an
//! instance, page through DescribeApplications, wait until it is online, launch an instance
//! from it and remove that instance; login settings of instances; every documented error
//! code of CreateApplication, DescribeApplications and DescribeServiceLoginSettings.
//!
//! HAI has no action that changes or deletes an application, so "update" and "delete" are
//! the instance launched from it and its termination.

use std::time::{Duration, Instant};

use super::support::*;
use hai_sdk::create_application::{CreateApplicationError, CreateApplicationRequest};
use hai_sdk::describe_applications::DescribeApplicationsRequest;
use hai_sdk::describe_instances::DescribeInstancesRequest;
use hai_sdk::describe_service_login_settings::DescribeServiceLoginSettingsRequest;
use hai_sdk::run_instances::RunInstancesRequest;
use hai_sdk::start_instance::StartInstanceRequest;
use hai_sdk::terminate_instances::TerminateInstancesRequest;
use hai_sdk::types::{ApplicationInfo, Filter, InstanceState};
use hai_sdk::Client;

async fn application(client: &Client, id: &str) -> ApplicationInfo {
    let out = client
        .describe_applications(DescribeApplicationsRequest::new().application_ids([id.to_owned()]))
        .await
        .expect("DescribeApplications succeeds");
    assert_eq!(out.total_count, Some(1));
    out.application_set.unwrap_or_default().remove(0)
}

async fn instance_state(client: &Client, id: &str) -> Option<InstanceState> {
    let out = client
        .describe_instances(DescribeInstancesRequest::new().instance_ids([id.to_owned()]))
        .await
        .expect("DescribeInstances succeeds");
    out.instance_set
        .unwrap_or_default()
        .pop()
        .and_then(|i| i.instance_state)
}

e2e_test! {
async fn custom_application_create_page_wait_launch_and_terminate(scheme) {
    let emu = start(scheme.config().rate_limit(false)).await;
    let client = client(&emu);

    let created = client
        .create_application(
            CreateApplicationRequest::new(DEMO, "e2e-env").application_description("from the demo"),
        )
        .await
        .expect("CreateApplication succeeds");
    let id = created.application_id.expect("an ApplicationId");
    let app = application(&client, &id).await;
    assert_eq!(app.application_state.as_ref().map(|s| s.as_str()), Some("CREATING"));
    assert_eq!(app.application_type.as_deref(), Some("PRIVATE_APPLICATION"));
    assert_eq!(app.description.as_deref(), Some("from the demo"));
    // While the image is made the instance accepts no other operation.
    let busy = client
        .stop_instance(hai_sdk::stop_instance::StopInstanceRequest::new(DEMO))
        .await;
    assert_eq!(code(busy), "OperationDenied.InstanceOperationInProgress");

    // Page through all applications, newest first, two at a time: four public, the seed's
    // custom one and the new one.
    let mut seen = Vec::new();
    let mut offset = 0;
    loop {
        let page = client
            .describe_applications(DescribeApplicationsRequest::new().offset(offset).limit(2))
            .await
            .expect("DescribeApplications succeeds");
        assert_eq!(page.total_count, Some(6));
        let items = page.application_set.unwrap_or_default();
        if items.is_empty() {
            break;
        }
        offset += i64::try_from(items.len()).unwrap();
        seen.extend(items.into_iter().filter_map(|a| a.application_id));
    }
    assert_eq!(seen.len(), 6);
    assert_eq!(seen[0], id, "the newest comes first");
    let private = client
        .describe_applications(DescribeApplicationsRequest::new().filters([
            Filter::new("application-type", ["PRIVATE_APPLICATION".to_owned()]),
            Filter::new("application-name", ["E2E".to_owned()]),
        ]))
        .await
        .unwrap();
    assert_eq!(private.total_count, Some(1));

    // Wait until it is online.
    let deadline = Instant::now() + Duration::from_secs(5);
    while application(&client, &id).await.application_state.as_ref().map(|s| s.as_str()) != Some("ONLINE") {
        assert!(Instant::now() < deadline, "{id} never came online");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        instance_state(&client, DEMO).await,
        Some(InstanceState::Running)
    );

    // Launch from it, wait, terminate.
    let launched = client
        .run_instances(RunInstancesRequest::new(&id, "XL").instance_name("from-e2e-env"))
        .await
        .expect("RunInstances from the custom application succeeds");
    let inst = launched.instance_id_set.unwrap_or_default().remove(0);
    let deadline = Instant::now() + Duration::from_secs(5);
    while instance_state(&client, &inst).await != Some(InstanceState::Running) {
        assert!(Instant::now() < deadline, "{inst} never ran");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let described = client
        .describe_instances(DescribeInstancesRequest::new().instance_ids([inst.clone()]))
        .await
        .unwrap()
        .instance_set
        .unwrap_or_default()
        .remove(0);
    assert_eq!(described.application_name.as_deref(), Some("e2e-env"));
    client
        .terminate_instances(TerminateInstancesRequest::new([inst.clone()]))
        .await
        .expect("TerminateInstances succeeds");
    let deadline = Instant::now() + Duration::from_secs(5);
    while instance_state(&client, &inst).await != Some(InstanceState::Terminated) {
        assert!(Instant::now() < deadline, "{inst} never terminated");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
}

e2e_test! {
async fn every_documented_application_error_code(scheme) {
    let emu = start(scheme.config().rate_limit(false)).await;
    let client = client(&emu);
    let create = |id: &str, name: &str| CreateApplicationRequest::new(id, name);
    for (req, want) in [
        (
            create("hai-1", "a"),
            "InvalidParameterValue.InvalidInstanceIdMalformed",
        ),
        (
            create("hai-zzzzzzzz", "a"),
            "InvalidParameterValue.InstanceIdNotFound",
        ),
        (
            create(DEMO, "my-pytorch-env"),
            "InvalidParameterValue.InvalidApplicationNameDuplicate",
        ),
        (
            create("hai-pending1", "a"),
            "OperationDenied.InstanceOperationInProgress",
        ),
        (
            create("hai-lnchfail", "a"),
            "UnsupportedOperation.InstanceCreateApplicationNotSupport",
        ),
        (create("hai-broken01", "a"), "InternalError"),
    ] {
        let shown = format!("{req:?}");
        assert_eq!(code(client.create_application(req).await), want, "{shown}");
    }
    // While a start is in progress, typed.
    client
        .start_instance(StartInstanceRequest::new("hai-stopped1"))
        .await
        .unwrap();
    let err = client
        .create_application(create("hai-stopped1", "b"))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err.service_error(),
            Some(CreateApplicationError::OperationDeniedInstanceOperationInProgress(_))
        ),
        "{err:?}"
    );

    let describe = DescribeApplicationsRequest::new;
    for (req, want) in [
        (
            describe()
                .application_ids(["app-sdwebui1".to_owned()])
                .filters([]),
            "InvalidParameter.AtMostOne",
        ),
        (describe().limit(101), "InvalidParameterValue"),
        (
            describe().application_ids(["app-sdwebui1".to_owned(), "app-sdwebui1".to_owned()]),
            "InvalidParameterValue.Duplicated",
        ),
        (
            describe().application_ids(["sdwebui".to_owned()]),
            "InvalidParameterValue.InvalidApplicationIdMalformed",
        ),
        (
            describe().filters([Filter::new("application-type", ["MINE".to_owned()])]),
            "InvalidParameterValue.InvalidApplicationType",
        ),
        (describe().order("UP"), "InvalidParameterValue.InvalidOrder"),
        (
            describe().order_field("NAME"),
            "InvalidParameterValue.InvalidOrderField",
        ),
        (
            describe().filters([Filter::new("scene-id", ["paint".to_owned()])]),
            "InvalidParameterValue.InvalidSceneIdMalformed",
        ),
    ] {
        let shown = format!("{req:?}");
        assert_eq!(
            code(client.describe_applications(req).await),
            want,
            "{shown}"
        );
    }
    // The documented order fields.
    let by_size = client
        .describe_applications(describe().order_field("APPLICATION_SIZE").order("ASC"))
        .await
        .unwrap()
        .application_set
        .unwrap_or_default();
    let sizes: Vec<i64> = by_size.iter().filter_map(|a| a.application_size).collect();
    assert!(sizes.windows(2).all(|w| w[0] <= w[1]), "{sizes:?}");

    // Login settings.
    let settings = client
        .describe_service_login_settings(DescribeServiceLoginSettingsRequest::new(DEMO))
        .await
        .expect("DescribeServiceLoginSettings succeeds")
        .login_settings
        .unwrap_or_default();
    assert_eq!(settings[0].service_name.as_deref(), Some("jupyter"));
    assert!(settings[0]
        .url
        .as_deref()
        .is_some_and(|u| u.starts_with("http://43.134.1.10:8888/")));
    for (id, want) in [
        ("hai-1", "InvalidParameterValue.InvalidInstanceIdMalformed"),
        ("hai-broken01", "InternalError"),
    ] {
        assert_eq!(
            code(
                client
                    .describe_service_login_settings(DescribeServiceLoginSettingsRequest::new(id))
                    .await
            ),
            want,
            "{id}"
        );
    }
}
}

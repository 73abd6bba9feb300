//! The generated paginators and the service and application waiters against the emulator:
//! their reachability tables agree with the emulator's state machines (a service that
//! fails its deployment, is deleted or is updated; an application made from an instance),
//! and the paginators list every item once.

use std::collections::HashSet;
use std::time::Duration;

use futures_util::TryStreamExt;
use hai_sdk::create_application::CreateApplicationRequest;
use hai_sdk::create_infer_service_by_template::CreateInferServiceByTemplateRequest;
use hai_sdk::delete_service::DeleteServiceRequest;
use hai_sdk::deploy_infer_service::DeployInferServiceRequest;
use hai_sdk::describe_applications::DescribeApplicationsRequest;
use hai_sdk::describe_models::DescribeModelsRequest;
use hai_sdk::describe_services::DescribeServicesRequest;
use hai_sdk::describe_services_call_info::DescribeServicesCallInfoRequest;
use hai_sdk::types::{
    ComputeInfo, ComputeResource, ContainerInfo, DeploymentConfig, HttpConfig, ImageInfo,
    ProbeConfig, ProbeInfo, ServiceMetaData,
};
use hai_sdk::update_service_configs::UpdateServiceConfigsRequest;
use hai_sdk::{WaitError, WaiterConfig};

use super::support::*;

/// Fast polling: 20 ms, x2, at most 100 ms, 10 s in all.
fn quick() -> WaiterConfig {
    WaiterConfig::new()
        .with_initial_delay(Duration::from_millis(20))
        .with_multiplier(2.0)
        .with_max_delay(Duration::from_millis(100))
        .with_timeout(Duration::from_secs(10))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn services_are_paged_and_waited_for() {
    let emu = start(config().rate_limit(false)).await;
    let client = client(&emu);

    let created = client
        .create_infer_service_by_template(
            CreateInferServiceByTemplateRequest::new("tpl-2czq2lnm").service_name("waited"),
        )
        .await
        .expect("create");
    let id = created.service_id.expect("a ServiceId");
    let s = client
        .wait_for_service_state(&id, hai_sdk::types::ServiceState::Running, quick())
        .await
        .expect("the new service runs");
    assert_eq!(
        s.service_state.as_ref().map(|s| s.as_str()),
        Some("RUNNING")
    );

    // Every service exactly once, whatever the page size; with TotalCount no extra request.
    let mut expected = None;
    for size in [1, 3, 100] {
        let ids: Vec<String> = client
            .describe_services_paginator(DescribeServicesRequest::new())
            .page_size(size)
            .items()
            .map_ok(|s| s.service_id.unwrap_or_default())
            .try_collect()
            .await
            .expect("pages");
        let unique: HashSet<&String> = ids.iter().collect();
        assert_eq!(unique.len(), ids.len(), "page size {size}");
        assert!(ids.contains(&id));
        let n = *expected.get_or_insert(ids.len());
        assert_eq!(ids.len(), n, "page size {size}");
    }
    // No total count here: the paginator stops on a short page.
    let calls: Vec<_> = client
        .describe_services_call_info_paginator(DescribeServicesCallInfoRequest::new())
        .page_size(4)
        .items()
        .try_collect()
        .await
        .expect("call info pages");
    let all = client
        .describe_services_call_info(DescribeServicesCallInfoRequest::new().limit(100))
        .await
        .expect("one big page")
        .call_info_set
        .unwrap_or_default();
    assert!(all.len() > 4, "more than one page: {}", all.len());
    assert_eq!(calls.len(), all.len());
    let models: Vec<_> = client
        .describe_models_paginator(DescribeModelsRequest::new())
        .page_size(1)
        .items()
        .try_collect()
        .await
        .expect("model pages");
    assert!(!models.is_empty());

    // An update passes through UPDATING and runs again.
    client
        .update_service_configs(UpdateServiceConfigsRequest::new(&id).target_replicas(2))
        .await
        .expect("update");
    let s = client
        .wait_for_service_state(&id, hai_sdk::types::ServiceState::Running, quick())
        .await
        .expect("running after the update");
    assert_eq!(s.running_replicas, Some(2));

    // Deleting: RUNNING is out of reach; once gone, the service is not found.
    client
        .delete_service(DeleteServiceRequest::new(&id))
        .await
        .expect("delete");
    let e = client
        .wait_for_service_state(&id, hai_sdk::types::ServiceState::Running, quick())
        .await
        .unwrap_err();
    assert!(
        matches!(&e, WaitError::Unreachable { state, .. } if *state == hai_sdk::types::ServiceState::Deleting)
            || e.is_not_found(),
        "{e}"
    );
    let e = client
        .wait_for_service_state(
            &id,
            hai_sdk::types::ServiceState::from("DELETED-NEVER"),
            quick(),
        )
        .await
        .unwrap_err();
    assert!(e.is_not_found(), "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_deployment_ends_the_wait_for_running() {
    let emu = start(config().rate_limit(false)).await;
    let client = client(&emu);
    // A readiness probe on a port the container does not serve: the deployment fails.
    let request = DeployInferServiceRequest::new()
        .service_meta_data(ServiceMetaData::new().service_name("probe-fails"))
        .compute_info(
            ComputeInfo::new()
                .compute_resources([ComputeResource::new("24G_A10*1", 1)])
                .replicas(1),
        )
        .deployment_configs([DeploymentConfig::new().container(
            ContainerInfo::new()
                .image(ImageInfo::new().image_registry_url("registry.example/ai/vllm:v0.11"))
                .port("8000")
                .probe(ProbeInfo::new().readiness_probe(
                    ProbeConfig::new().http_get(HttpConfig::new().path("/health").port(8080)),
                )),
        )]);
    let id = client
        .deploy_infer_service(request)
        .await
        .expect("deploy")
        .service_id
        .expect("a ServiceId");
    let e = client
        .wait_for_service_state(&id, hai_sdk::types::ServiceState::Running, quick())
        .await
        .unwrap_err();
    match &e {
        WaitError::Unreachable { state, target, .. } => {
            assert_eq!(
                (state.as_str(), target.as_str()),
                ("CREATE_FAILED", "RUNNING")
            );
        }
        other => panic!("{other}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_application_is_waited_for_until_online() {
    let emu = start(config().rate_limit(false)).await;
    let client = client(&emu);
    let id = client
        .create_application(CreateApplicationRequest::new(DEMO, "waited-env"))
        .await
        .expect("create")
        .application_id
        .expect("an ApplicationId");
    let app = client
        .wait_for_application_state(&id, hai_sdk::types::ApplicationState::Online, quick())
        .await
        .expect("online");
    assert_eq!(app.application_name.as_deref(), Some("waited-env"));
    let names: Vec<String> = client
        .describe_applications_paginator(DescribeApplicationsRequest::new())
        .page_size(2)
        .items()
        .map_ok(|a| a.application_id.unwrap_or_default())
        .try_collect()
        .await
        .expect("pages");
    assert!(names.contains(&id), "{names:?}");
    // The instance it was made from is usable again.
    client
        .wait_for_instance_state(DEMO, hai_sdk::types::InstanceState::Running, quick())
        .await
        .expect("the instance runs");
}

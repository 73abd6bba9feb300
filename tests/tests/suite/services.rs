//! Inference services end to end through the generated client: models and templates, create
//! (from a template and from a custom deployment), describe with paging, call information,
//! update, wait, pod logs, delete, and every documented error code the requests can reach.

use std::time::{Duration, Instant};

use super::support::*;
use hai_sdk::create_infer_service_by_template::CreateInferServiceByTemplateRequest;
use hai_sdk::delete_service::DeleteServiceRequest;
use hai_sdk::deploy_infer_service::{DeployInferServiceError, DeployInferServiceRequest};
use hai_sdk::describe_deploy_templates::DescribeDeployTemplatesRequest;
use hai_sdk::describe_models::DescribeModelsRequest;
use hai_sdk::describe_services::DescribeServicesRequest;
use hai_sdk::describe_services_call_info::DescribeServicesCallInfoRequest;
use hai_sdk::get_service_pod_logs::GetServicePodLogsRequest;
use hai_sdk::inquire_price_update_service_configs::InquirePriceUpdateServiceConfigsRequest;
use hai_sdk::types::{
    ComputeInfo, ComputeResource, ContainerInfo, DeploymentConfig, Filter, HttpConfig, ImageInfo,
    NetworkSetting, ProbeConfig, ProbeInfo, ServiceChargePrepaid, ServiceDetail, ServiceMetaData,
};
use hai_sdk::update_service_configs::{UpdateServiceConfigsError, UpdateServiceConfigsRequest};
use hai_sdk::Client;

/// The service error code of a call that must fail.
async fn describe(client: &Client, id: &str) -> ServiceDetail {
    let out = client
        .describe_services(DescribeServicesRequest::new().service_ids([id.to_owned()]))
        .await
        .expect("DescribeServices succeeds");
    assert_eq!(out.total_count, Some(1));
    out.service_info_set.unwrap_or_default().remove(0)
}

/// Polls DescribeServices until `id` is in `state`.
async fn wait_for(client: &Client, id: &str, state: &str) -> ServiceDetail {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let s = describe(client, id).await;
        if s.service_state.as_ref().map(|s| s.as_str()) == Some(state) {
            return s;
        }
        assert!(
            Instant::now() < deadline,
            "{id} is still {:?}, not {state}",
            s.service_state
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn container(port: &str, probe_port: i64) -> DeploymentConfig {
    DeploymentConfig::new().container(
        ContainerInfo::new()
            .image(ImageInfo::new().image_registry_url("registry.example/ai/vllm:v0.11"))
            .port(port)
            .probe(ProbeInfo::new().readiness_probe(
                ProbeConfig::new().http_get(HttpConfig::new().path("/health").port(probe_port)),
            )),
    )
}

fn compute(bundle: &str, count: u64, replicas: i64) -> ComputeInfo {
    ComputeInfo::new()
        .compute_resources([ComputeResource::new(bundle, count)])
        .replicas(replicas)
}

e2e_test! {
async fn template_service_create_describe_page_update_wait_and_delete(scheme) {
    let emu = start(scheme.config().rate_limit(false)).await;
    let client = client(&emu);

    // Pick a model and one of its templates.
    let models = client
        .describe_models(
            DescribeModelsRequest::new()
                .filters([Filter::new("scene-id", ["scene-llmchat1".to_owned()])])
                .limit(2),
        )
        .await
        .expect("DescribeModels succeeds");
    assert_eq!(models.total_count, Some(3));
    let model = models.model_set.unwrap_or_default().remove(0);
    assert_eq!(model.model_id.as_deref(), Some("mdl-s1cop2oq"));
    let templates = client
        .describe_deploy_templates(DescribeDeployTemplatesRequest::new("mdl-s1cop2oq"))
        .await
        .expect("DescribeDeployTemplates succeeds");
    assert_eq!(templates.engine_types, Some(vec!["Sglang".to_owned()]));
    let template = templates.template_set.unwrap_or_default().remove(0);
    assert_eq!(template.template_id.as_deref(), Some("tpl-2czq2lnm"));
    assert_eq!(template.support_func, Some(vec!["hicache".to_owned()]));

    // Create: CREATING, then RUNNING.
    let created = client
        .create_infer_service_by_template(
            CreateInferServiceByTemplateRequest::new("tpl-2czq2lnm")
                .service_name("e2e-deepseek")
                .replicas(2),
        )
        .await
        .expect("CreateInferServiceByTemplate succeeds");
    let id = created.service_id.expect("a ServiceId");
    let s = describe(&client, &id).await;
    assert_eq!(s.service_state.as_ref().map(|s| s.as_str()), Some("CREATING"));
    assert_eq!(s.total_replicas, Some(2));
    let s = wait_for(&client, &id, "RUNNING").await;
    assert_eq!(s.running_replicas, Some(2));
    assert_eq!(s.service_name.as_deref(), Some("e2e-deepseek"));
    assert_eq!(s.model_name.as_deref(), Some("DeepSeek-V3.2-Channel-INT8"));

    // Page through every service: the seed's nine and the new one, three at a time.
    let mut seen = Vec::new();
    let mut offset = 0;
    loop {
        let page = client
            .describe_services(DescribeServicesRequest::new().offset(offset).limit(3))
            .await
            .expect("DescribeServices succeeds");
        assert_eq!(page.total_count, Some(10));
        let items = page.service_info_set.unwrap_or_default();
        if items.is_empty() {
            break;
        }
        offset += u64::try_from(items.len()).unwrap();
        seen.extend(items.into_iter().filter_map(|s| s.service_id));
    }
    assert_eq!(seen.len(), 10);
    assert_eq!(seen.last(), Some(&id));
    let running = client
        .describe_services(DescribeServicesRequest::new().states(["RUNNING".to_owned()]))
        .await
        .unwrap();
    assert!(running
        .service_info_set
        .unwrap_or_default()
        .iter()
        .all(|s| s.service_state.as_ref().map(|s| s.as_str()) == Some("RUNNING")));

    // Call information, paged.
    let calls = client
        .describe_services_call_info(DescribeServicesCallInfoRequest::new().limit(2).offset(0))
        .await
        .expect("DescribeServicesCallInfo succeeds");
    assert_eq!(calls.call_info_set.unwrap_or_default().len(), 2);
    let mine = client
        .describe_services_call_info(
            DescribeServicesCallInfoRequest::new().service_ids([id.clone()]),
        )
        .await
        .unwrap()
        .call_info_set
        .unwrap_or_default()
        .remove(0);
    assert_eq!(mine.api_key.as_deref().map(str::len), Some(64));

    // Update: scale to 3, UPDATING, wait, RUNNING with 3.
    client
        .update_service_configs(UpdateServiceConfigsRequest::new(&id).target_replicas(3))
        .await
        .expect("UpdateServiceConfigs succeeds");
    let s = describe(&client, &id).await;
    assert_eq!(s.service_state.as_ref().map(|s| s.as_str()), Some("UPDATING"));
    assert_eq!(s.target_replicas, Some(3));
    let err = client
        .update_service_configs(UpdateServiceConfigsRequest::new(&id).target_replicas(1))
        .await
        .expect_err("an update is in progress");
    assert!(
        matches!(
            err.service_error(),
            Some(UpdateServiceConfigsError::OperationDeniedServiceOperationInProgress(_))
        ),
        "{err:?}"
    );
    let s = wait_for(&client, &id, "RUNNING").await;
    assert_eq!(s.running_replicas, Some(3));

    // Pod logs of a running pod.
    let logs = client
        .get_service_pod_logs(
            GetServicePodLogsRequest::new(&id, format!("{id}-worker-2")).tail_lines("1"),
        )
        .await
        .expect("GetServicePodLogs succeeds");
    let lines = logs.log_lines.unwrap_or_default();
    assert_eq!(lines.len(), 1);
    assert!(lines[0].ends_with("3 of 3 replicas running"), "{lines:?}");

    // Delete: DELETING, then gone.
    client
        .delete_service(DeleteServiceRequest::new(&id))
        .await
        .expect("DeleteService succeeds");
    assert_eq!(
        describe(&client, &id).await.service_state.as_ref().map(|s| s.as_str()),
        Some("DELETING")
    );
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let r = client
            .describe_services(DescribeServicesRequest::new().service_ids([id.clone()]))
            .await;
        if r.is_err() {
            assert_eq!(code(r), "InvalidParameterValue.ServiceIdNotFound");
            break;
        }
        assert!(Instant::now() < deadline, "{id} is never deleted");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
}

e2e_test! {
async fn custom_deployment_runs_or_fails_on_its_probe(scheme) {
    let emu = start(scheme.config().rate_limit(false)).await;
    let client = client(&emu);
    let deploy = |probe_port: i64| {
        DeployInferServiceRequest::new()
            .service_meta_data(ServiceMetaData::new().service_name("custom"))
            .compute_info(compute("24G_A10*1", 1, 1))
            .deployment_configs([container("8000", probe_port)])
    };
    let good = client.deploy_infer_service(deploy(8000)).await.unwrap();
    let bad = client.deploy_infer_service(deploy(8080)).await.unwrap();
    let good = good.service_id.unwrap();
    let bad = bad.service_id.unwrap();
    let s = wait_for(&client, &good, "RUNNING").await;
    assert_eq!(s.is_custom_deploy, Some(1));
    let s = wait_for(&client, &bad, "CREATE_FAILED").await;
    assert_eq!(s.running_replicas, Some(0));
    let logs = client
        .get_service_pod_logs(GetServicePodLogsRequest::new(
            &bad,
            format!("{bad}-worker-0"),
        ))
        .await
        .unwrap()
        .log_lines
        .unwrap_or_default();
    assert!(
        logs.iter().any(|l| l.contains("readiness probe failed")),
        "{logs:?}"
    );
}
}

e2e_test! {
async fn every_documented_service_error_code(scheme) {
    let emu = start(scheme.config().rate_limit(false)).await;
    let client = client(&emu);
    let by_template = |tpl: &str| CreateInferServiceByTemplateRequest::new(tpl);
    let vpc = |vpc: Option<&str>, subnet: Option<&str>| {
        let mut n = NetworkSetting::new().vpc_endpoint_enable(true);
        if let Some(v) = vpc {
            n = n.vpc_id(v);
        }
        if let Some(s) = subnet {
            n = n.subnet_id(s);
        }
        n
    };

    // CreateInferServiceByTemplate.
    let cases: Vec<(CreateInferServiceByTemplateRequest, &str)> = vec![
        (
            by_template("tpl-zzzzzzzz"),
            "InvalidParameterValue.TemplateIdNotFound",
        ),
        (
            by_template("tpl-retired1"),
            "InvalidParameterValue.ComputeSetCannotBeNone",
        ),
        (
            by_template("tpl-2czq2lnm").service_name("n".repeat(61)),
            "InvalidParameterValue.ServiceNameTooLong",
        ),
        (
            by_template("tpl-2czq2lnm").service_charge_type("SPOT"),
            "InvalidParameterValue.InvalidChargeType",
        ),
        (
            by_template("tpl-2czq2lnm").security_type("SECRET"),
            "InvalidParameterValue.InvalidSecurityType",
        ),
        (
            by_template("tpl-2czq2lnm").network_setting(vpc(None, None)),
            "InvalidParameterValue.InvalidVpcIdIsNone",
        ),
        (
            by_template("tpl-2czq2lnm").network_setting(vpc(Some("vpc-a1b2c3d4"), None)),
            "InvalidParameterValue.InvalidSubnetIdIsNone",
        ),
        (
            by_template("tpl-2czq2lnm").network_setting(vpc(Some("vpc-a1b2c3d4"), Some("net-1"))),
            "InvalidParameterValue.InvalidSubnetIdMalformed",
        ),
        (
            by_template("tpl-fluxtry1")
                .network_setting(vpc(Some("vpc-a1b2c3d4"), Some("subnet-a1b2c3d4"))),
            "OperationDenied.ServiceNotSupportUpdateCallInfo",
        ),
        (
            by_template("tpl-h20node1"),
            "ResourceInsufficient.BundleInventoryShortage",
        ),
    ];
    for (req, want) in cases {
        let shown = format!("{req:?}");
        assert_eq!(
            code(client.create_infer_service_by_template(req).await),
            want,
            "{shown}"
        );
    }
    // One service per trial template.
    client
        .create_infer_service_by_template(by_template("tpl-fluxtry1"))
        .await
        .expect("the first trial service");
    assert_eq!(
        code(
            client
                .create_infer_service_by_template(by_template("tpl-fluxtry1"))
                .await
        ),
        "UnauthorizedOperation.AllowCreateOneServiceOfTemplate"
    );
    // A region without public endpoints.
    let nanjing = builder(&emu).region("ap-nanjing").build().unwrap();
    assert_eq!(
        code(
            nanjing
                .create_infer_service_by_template(by_template("tpl-2czq2lnm"))
                .await
        ),
        "InvalidParameterValue.RegionNotSupportPublicCallInfo"
    );
    let private = nanjing
        .create_infer_service_by_template(
            by_template("tpl-2czq2lnm")
                .network_setting(NetworkSetting::new().public_endpoint_enable(false)),
        )
        .await;
    assert!(private.is_ok(), "{private:?}");

    // DeployInferService shares the checks; a few through it, typed.
    let deploy = || {
        DeployInferServiceRequest::new()
            .compute_info(compute("24G_A10*1", 1, 1))
            .deployment_configs([container("8000", 8000)])
    };
    let err = client
        .deploy_infer_service(deploy().service_charge_prepaid(ServiceChargePrepaid::new()))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err.service_error(),
            Some(DeployInferServiceError::InvalidParameterValueInvalidChargeType(_))
        ),
        "{err:?}"
    );
    assert_eq!(
        code(
            client
                .deploy_infer_service(deploy().security_type("x"))
                .await
        ),
        "InvalidParameterValue.InvalidSecurityType"
    );
    assert_eq!(
        code(
            client
                .deploy_infer_service(deploy().compute_info(compute("24G_A10*1", 1, 17)))
                .await
        ),
        "ResourceInsufficient.BundleInventoryShortage"
    );

    // Describe actions.
    assert_eq!(
        code(
            client
                .describe_services(DescribeServicesRequest::new().service_ids(["svc-1".to_owned()]))
                .await
        ),
        "InvalidParameterValue.InvalidServiceIdMalformed"
    );
    assert_eq!(
        code(
            client
                .describe_services_call_info(
                    DescribeServicesCallInfoRequest::new().service_ids(["svc-zzzzzzzz".to_owned()])
                )
                .await
        ),
        "InvalidParameterValue.ServiceIdNotFound"
    );
    assert_eq!(
        code(
            client
                .describe_services_call_info(
                    DescribeServicesCallInfoRequest::new().service_ids(["svc-robotvla".to_owned()])
                )
                .await
        ),
        "UnauthorizedOperation.UserNotBoundEmbodiedIntelligenceAccount"
    );
    assert_eq!(
        code(
            client
                .describe_models(
                    DescribeModelsRequest::new()
                        .model_ids(["mdl-s1cop2oq".to_owned()])
                        .filters([])
                )
                .await
        ),
        "InvalidParameter.AtMostOne"
    );
    assert_eq!(
        code(
            client
                .describe_models(
                    DescribeModelsRequest::new()
                        .model_ids(["mdl-s1cop2oq".to_owned(), "mdl-s1cop2oq".to_owned()])
                )
                .await
        ),
        "InvalidParameterValue.Duplicated"
    );
    assert_eq!(
        code(
            client
                .describe_models(DescribeModelsRequest::new().model_ids(["m".to_owned()]))
                .await
        ),
        "InvalidParameterValue.InvalidModelIdMalformed"
    );
    assert_eq!(
        code(
            client
                .describe_deploy_templates(DescribeDeployTemplatesRequest::new("model-1"))
                .await
        ),
        "InvalidParameterValue.InvalidModelIdMalformed"
    );

    // UpdateServiceConfigs.
    let update = |id: &str, n: i64| UpdateServiceConfigsRequest::new(id).target_replicas(n);
    for (req, want) in [
        (
            update("svc-1", 2),
            "InvalidParameterValue.InvalidServiceIdMalformed",
        ),
        (
            update("svc-zzzzzzzz", 2),
            "InvalidParameterValue.ServiceIdNotFound",
        ),
        (update("svc-broken01", 2), "InternalError"),
        (
            update("svc-creating", 2),
            "OperationDenied.ServiceOperationInProgress",
        ),
        (
            update("svc-autoscl1", 2),
            "FailedOperation.AutoscaleManualConflict",
        ),
        (
            update("svc-6cidi7xs", 1),
            "InvalidParameterValue.TargetReplicasMustDifferFromRunningReplicas",
        ),
        (
            update("svc-6cidi7xs", 20),
            "ResourceInsufficient.BundleInventoryShortage",
        ),
    ] {
        let shown = format!("{req:?}");
        assert_eq!(
            code(client.update_service_configs(req).await),
            want,
            "{shown}"
        );
    }

    // The published price inquiry names no service.
    assert_eq!(
        code(
            client
                .inquire_price_update_service_configs(InquirePriceUpdateServiceConfigsRequest::new())
                .await
        ),
        "UnsupportedOperation.NotSupportToInquiryPrice"
    );

    // DeleteService.
    for (id, want) in [
        ("svc-1", "InvalidParameterValue.InvalidServiceIdMalformed"),
        ("svc-zzzzzzzz", "InvalidParameterValue.ServiceIdNotFound"),
        ("svc-prepaid1", "UnsupportedOperation"),
    ] {
        assert_eq!(
            code(client.delete_service(DeleteServiceRequest::new(id)).await),
            want,
            "{id}"
        );
    }

    // Pod logs: no documented codes; a missing pod gets the common ResourceNotFound.
    assert_eq!(
        code(
            client
                .get_service_pod_logs(GetServicePodLogsRequest::new("svc-6cidi7xs", "pod-x"))
                .await
        ),
        "ResourceNotFound"
    );
}
}

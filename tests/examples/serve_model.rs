//! Cookbook: deploy an inference service from a template, wait until it runs, list every
//! service with the paginator, and (with `--delete`) delete it again.
//!
//! ```sh
//! cargo run --example serve_model -- [TEMPLATE_ID] [--delete]   # default: the emulator's tpl-2czq2lnm
//! ```
//!
//! Without credentials it runs against an in-process emulator (see `common/mod.rs`). With
//! credentials it creates a real, billed service: pass `--delete` to remove it at the end.

mod common;

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use futures_util::TryStreamExt;
use hai_sdk::create_infer_service_by_template::CreateInferServiceByTemplateRequest;
use hai_sdk::delete_service::DeleteServiceRequest;
use hai_sdk::describe_services::DescribeServicesRequest;
use hai_sdk::describe_services_call_info::DescribeServicesCallInfoRequest;
use hai_sdk::{WaitError, WaiterConfig};

/// Deploys an inference service from a template, waits until it runs, lists every service
/// and, with --delete, deletes it again. With credentials the service is real and billed.
#[derive(Parser)]
#[command(after_help = common::AFTER_HELP)]
struct Args {
    /// The template to deploy (required with credentials; the emulator's default: tpl-2czq2lnm)
    #[arg(value_name = "TEMPLATE_ID")]
    template_id: Option<String>,
    /// Delete the service at the end
    #[arg(long)]
    delete: bool,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let setup = match common::setup().await {
        Ok(s) => s,
        Err(e) => return common::fail(e),
    };
    let client = &setup.client;
    let delete = args.delete;
    let Some(template) = args
        .template_id
        .or_else(|| setup.emulator.as_ref().map(|_| "tpl-2czq2lnm".to_owned()))
    else {
        common::refuse::<Args>("TEMPLATE_ID is required against Tencent Cloud");
    };

    let created = match client
        .create_infer_service_by_template(
            CreateInferServiceByTemplateRequest::new(template.clone()).service_name("cookbook"),
        )
        .await
    {
        Ok(r) => r,
        Err(e) => return common::fail(e),
    };
    let Some(id) = created.service_id else {
        return common::fail("CreateInferServiceByTemplate returned no ServiceId");
    };
    println!(
        "{template}: service {id} created (RequestId {})",
        created.request_id
    );

    // Deployments take minutes on Tencent Cloud: poll every 5 s, then up to every 30 s.
    let config = WaiterConfig::new()
        .with_initial_delay(Duration::from_secs(5))
        .with_max_delay(Duration::from_secs(30))
        .with_timeout(Duration::from_secs(30 * 60));
    match client
        .wait_for_service_state(&id, hai_sdk::types::ServiceState::Running, config)
        .await
    {
        Ok(s) => println!(
            "{id} is RUNNING with {} of {} replicas",
            s.running_replicas.unwrap_or_default(),
            s.total_replicas.unwrap_or_default()
        ),
        Err(WaitError::Unreachable { state, .. }) => {
            return common::fail(format!("{id} ended up {state}: it will not run"))
        }
        Err(e) => return common::fail(e),
    }
    let endpoint = client
        .describe_services_call_info(
            DescribeServicesCallInfoRequest::new().service_ids([id.clone()]),
        )
        .await
        .ok()
        .and_then(|r| r.call_info_set.unwrap_or_default().into_iter().next())
        .and_then(|c| c.public_endpoint);
    // The API key is a secret: look it up with DescribeServicesCallInfo when you need it.
    println!(
        "{id}: public endpoint {}",
        endpoint.as_deref().unwrap_or("(none yet)")
    );

    let services: Vec<_> = match client
        .describe_services_paginator(DescribeServicesRequest::new())
        .items()
        .try_collect()
        .await
    {
        Ok(s) => s,
        Err(e) => return common::fail(e),
    };
    println!("{} services:", services.len());
    for s in &services {
        println!(
            "  {} {:?} {}",
            s.service_id.as_deref().unwrap_or("?"),
            s.service_name.as_deref().unwrap_or(""),
            s.service_state.as_ref().map(|s| s.as_str()).unwrap_or("?")
        );
    }

    if delete {
        if let Err(e) = client.delete_service(DeleteServiceRequest::new(&id)).await {
            return common::fail(e);
        }
        println!("{id}: DeleteService accepted");
    }
    ExitCode::SUCCESS
}

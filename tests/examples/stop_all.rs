//! Cookbook: stop every running pay-as-you-go instance, concurrently, and wait until each is
//! stopped.
//!
//! ```sh
//! cargo run --example stop_all
//! ```
//!
//! Calls run at most 16 at a time; the client's token bucket keeps them within the documented
//! 20 requests per second per action, and throttled calls are retried. Without credentials it
//! runs against an in-process emulator (see `common/mod.rs`).

mod common;

use std::process::ExitCode;

use clap::Parser;
use futures_util::{StreamExt, TryStreamExt};
use hai_sdk::describe_instances::DescribeInstancesRequest;
use hai_sdk::stop_instance::StopInstanceRequest;
use hai_sdk::types::Filter;
use hai_sdk::{Client, WaitError};

/// Stops every running pay-as-you-go HAI instance, 16 at a time, and waits until each is
/// stopped.
#[derive(Parser)]
#[command(after_help = common::AFTER_HELP)]
struct Args {}

/// How many stop-and-wait sequences run at once.
const CONCURRENCY: usize = 16;

async fn stop_and_wait(client: &Client, id: String) -> Result<String, String> {
    let stopped = client
        .stop_instance(StopInstanceRequest::new(id.clone()))
        .await
        // The error's `Display` names the action: "StopInstance failed: <code>: ...".
        .map_err(|e| format!("{id}: {e}"))?;
    let instance = client
        .wait_until_instance_stopped(id.clone())
        .await
        .map_err(|e: WaitError| format!("{id}: {e}"))?;
    Ok(format!(
        "{id}: {} (TaskId {})",
        instance
            .instance_state
            .map(|s| s.to_string())
            .unwrap_or_default(),
        stopped.task_id.unwrap_or_default()
    ))
}

#[tokio::main]
async fn main() -> ExitCode {
    Args::parse();
    let setup = match common::setup().await {
        Ok(s) => s,
        Err(e) => return common::fail(e),
    };
    let client = &setup.client;

    // Prepaid instances cannot be stopped: ask only for pay-as-you-go running ones.
    let request = DescribeInstancesRequest::new().filters([
        Filter::new("instance-state", ["RUNNING".to_owned()]),
        Filter::new("charge-type", ["POSTPAID_BY_HOUR".to_owned()]),
    ]);
    let ids: Vec<String> = match client
        .describe_instances_paginator(request)
        .page_size(100)
        .items()
        .map_ok(|i| i.instance_id.unwrap_or_default())
        .try_collect()
        .await
    {
        Ok(ids) => ids,
        Err(e) => return common::fail(e),
    };
    println!("stopping {} running instance(s)", ids.len());

    let results: Vec<Result<String, String>> = futures_util::stream::iter(ids)
        .map(|id| stop_and_wait(client, id))
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await;
    let mut failed = 0;
    for r in &results {
        match r {
            Ok(line) => println!("{line}"),
            Err(line) => {
                failed += 1;
                eprintln!("error: {line}");
            }
        }
    }
    println!("{} stopped, {failed} failed", results.len() - failed);
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

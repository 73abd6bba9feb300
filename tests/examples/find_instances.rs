//! Cookbook: find instances with the DescribeInstances paginator and a filter.
//!
//! ```sh
//! cargo run --example find_instances                 # every instance
//! cargo run --example find_instances -- RUNNING      # only running ones (instance-state filter)
//! ```
//!
//! Without credentials it runs against an in-process emulator (see `common/mod.rs`).

mod common;

use std::process::ExitCode;

use futures_util::StreamExt;
use hai_sdk::describe_instances::DescribeInstancesRequest;
use hai_sdk::types::Filter;

#[tokio::main]
async fn main() -> ExitCode {
    let setup = match common::setup().await {
        Ok(s) => s,
        Err(e) => return common::fail(e),
    };
    let state = std::env::args().nth(1);

    let mut request = DescribeInstancesRequest::new();
    if let Some(state) = &state {
        request = request.filters([Filter::new("instance-state", [state.clone()])]);
    }
    // Pages of 20 (the service's default); `.page_size(100)` asks for the maximum.
    let mut instances = setup.client.describe_instances_paginator(request).items();
    let mut count = 0;
    while let Some(instance) = instances.next().await {
        let instance = match instance {
            Ok(i) => i,
            Err(e) => return common::fail(e),
        };
        count += 1;
        println!(
            "{:<14} {:<18} {:<20} {}",
            instance.instance_id.unwrap_or_default(),
            instance
                .instance_state
                .map(|s| s.to_string())
                .unwrap_or_default(),
            instance.instance_name.unwrap_or_default(),
            instance
                .public_ip_addresses
                .unwrap_or_default()
                .first()
                .map_or("-", String::as_str),
        );
    }
    match state {
        Some(s) => println!("{count} instance(s) in state {s}"),
        None => println!("{count} instance(s)"),
    }
    ExitCode::SUCCESS
}

use std::collections::HashSet;

use super::*;
use crate::jsonrpc::{Message, Method, Response, decode_message};
use crate::metrics::HttpMethod;

#[test]
fn the_message_mix_is_deterministic_with_the_stated_invalid_share() {
    let messages = sample_messages();
    assert_eq!(messages, sample_messages());
    assert_eq!(messages.len(), SAMPLE_MESSAGE_COUNT);

    let errors: Vec<_> = messages
        .iter()
        .filter_map(|m| decode_message(m).err())
        .collect();
    assert_eq!(errors.len(), INVALID_SAMPLE_MESSAGE_COUNT);
    assert!(errors.iter().all(|e| e.code() == -32602), "{errors:?}");
    let invalid_share = errors.len() as f64 / messages.len() as f64;
    assert!((0.0005..=0.001).contains(&invalid_share), "{invalid_share}");
}

#[test]
fn the_message_mix_covers_every_method_and_size() {
    let messages = sample_messages();
    let mut methods = HashSet::new();
    let (mut results, mut errors) = (0, 0);
    for message in &messages {
        match decode_message(message) {
            Ok(Message::Request(r)) => {
                methods.insert(r.method());
            }
            Ok(Message::Notification(n)) => {
                methods.insert(n.method());
            }
            Ok(Message::Response(Response::Result { .. })) => results += 1,
            Ok(Message::Response(Response::Error { .. })) => errors += 1,
            Err(_) => {}
        }
    }
    assert_eq!(methods.len(), Method::ALL.len(), "{methods:?}");
    assert!(
        results > 200 && errors > 10,
        "{results} results, {errors} errors"
    );

    let largest = messages.iter().map(Vec::len).max().unwrap_or(0);
    assert!(largest <= LARGE_MESSAGE_MAX_BYTES, "{largest}");
    assert!(largest > LARGE_MESSAGE_MAX_BYTES * 9 / 10, "{largest}");
    let large = messages.iter().filter(|m| m.len() >= 8 * 1024).count();
    assert_eq!(large, 50);
    let small = messages.iter().filter(|m| m.len() < 1024).count();
    assert!(small > 800, "{small}");
}

#[test]
fn sample_environments_are_deterministic_distinct_and_valid() {
    let environments = sample_environments();
    assert_eq!(environments, sample_environments());
    assert_eq!(environments.len(), SAMPLE_ENVIRONMENT_COUNT);
    let distinct: HashSet<_> = environments
        .iter()
        .map(|env| format!("{:?}", env.iter().collect::<Vec<_>>()))
        .collect();
    assert_eq!(distinct.len(), environments.len());
    for env in &environments {
        if let Err(errors) = crate::config_instantiation(env) {
            panic!("{errors}\n{env:?}");
        }
    }
}

#[test]
fn sample_requests_are_deterministic_with_bounded_labels() {
    let requests = sample_requests();
    assert_eq!(requests, sample_requests());
    assert_eq!(requests.len(), SAMPLE_REQUEST_COUNT);
    let labels: HashSet<_> = requests
        .iter()
        .map(|r| (r.endpoint.as_str(), r.method, r.status))
        .collect();
    assert!(labels.len() > 20 && labels.len() < 200, "{}", labels.len());
    let ok = requests.iter().filter(|r| r.status == 200).count();
    assert!((800..950).contains(&ok), "{ok}");
    assert!(requests.iter().any(|r| r.method == HttpMethod::Post));
    assert!(
        requests
            .iter()
            .all(|r| r.latency.as_micros() >= 1 && r.latency.as_secs() < 10)
    );
}

#[test]
fn sized_messages_are_about_their_size_and_decode() {
    for n in [1_024, 8_192, 65_536] {
        let messages = super::messages_of_size(n);
        assert_eq!(messages.len(), super::SIZED_MESSAGE_COUNT);
        for message in &messages {
            // Within 25 % of the size asked for (the payload is built in whole rows or items).
            let len = message.len() as f64;
            assert!(
                (len - n as f64).abs() <= 0.25 * n as f64,
                "{len} bytes for size {n}"
            );
            assert!(crate::decode_message(message).is_ok(), "size {n}");
        }
    }
    assert_eq!(
        super::messages_of_size(8_192),
        super::messages_of_size(8_192)
    );
}

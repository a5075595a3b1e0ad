//! The methods of the schema, which side sends each, and that every one of them decodes.

use super::*;

// The four unions of `schema/2025-06-18/schema.ts` (modelcontextprotocol/modelcontextprotocol at
// b0f60ba5), quoted as data: which methods each side sends.
const CLIENT_REQUESTS: [&str; 13] = [
    "ping",
    "initialize",
    "completion/complete",
    "logging/setLevel",
    "prompts/get",
    "prompts/list",
    "resources/list",
    "resources/templates/list",
    "resources/read",
    "resources/subscribe",
    "resources/unsubscribe",
    "tools/call",
    "tools/list",
];
const CLIENT_NOTIFICATIONS: [&str; 4] = [
    "notifications/cancelled",
    "notifications/progress",
    "notifications/initialized",
    "notifications/roots/list_changed",
];
const SERVER_REQUESTS: [&str; 4] = [
    "ping",
    "sampling/createMessage",
    "roots/list",
    "elicitation/create",
];
const SERVER_NOTIFICATIONS: [&str; 7] = [
    "notifications/cancelled",
    "notifications/progress",
    "notifications/message",
    "notifications/resources/updated",
    "notifications/resources/list_changed",
    "notifications/tools/list_changed",
    "notifications/prompts/list_changed",
];

#[test]
fn every_schema_method_is_known_with_its_sender_and_kind() {
    let client: Vec<&str> = CLIENT_REQUESTS
        .into_iter()
        .chain(CLIENT_NOTIFICATIONS)
        .collect();
    let server: Vec<&str> = SERVER_REQUESTS
        .into_iter()
        .chain(SERVER_NOTIFICATIONS)
        .collect();
    let mut names: Vec<&str> = client.iter().chain(&server).copied().collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), 25);
    assert_eq!(Method::ALL.len(), 25);

    for name in names {
        let method = Method::from_name(name).unwrap_or_else(|| panic!("{name} unknown"));
        assert_eq!(method.name(), name);
        let expected = match (client.contains(&name), server.contains(&name)) {
            (true, true) => Sender::Either,
            (true, false) => Sender::Client,
            _ => Sender::Server,
        };
        assert_eq!(method.sender(), expected, "{name}");
        let notification =
            CLIENT_NOTIFICATIONS.contains(&name) || SERVER_NOTIFICATIONS.contains(&name);
        assert_eq!(method.is_notification(), notification, "{name}");
    }
    for method in Method::ALL {
        assert_eq!(Method::from_name(method.name()), Some(method));
    }
    for unknown in [
        "",
        "Ping",
        "tools/List",
        "notifications/resources/listChanged",
        "sampling",
    ] {
        assert_eq!(Method::from_name(unknown), None, "{unknown}");
    }
}

#[test]
fn a_sender_includes_the_peers_that_send_it() {
    assert!(Sender::Client.includes(Peer::Client) && !Sender::Client.includes(Peer::Server));
    assert!(Sender::Server.includes(Peer::Server) && !Sender::Server.includes(Peer::Client));
    assert!(Sender::Either.includes(Peer::Client) && Sender::Either.includes(Peer::Server));
    // What a server's validation layer would refuse from its client, and the reverse.
    let from_server: Vec<Method> = Method::ALL
        .into_iter()
        .filter(|m| !m.sender().includes(Peer::Client))
        .collect();
    assert_eq!(
        from_server,
        [
            Method::SamplingCreateMessage,
            Method::ElicitationCreate,
            Method::RootsList,
            Method::NotificationsMessage,
            Method::NotificationsResourcesUpdated,
            Method::NotificationsResourcesListChanged,
            Method::NotificationsToolsListChanged,
            Method::NotificationsPromptsListChanged,
        ]
    );
}

#[test]
fn every_method_decodes_with_only_its_required_params_in_either_direction() {
    for method in Method::ALL {
        let (params, _) = minimal_params(method);
        let json = message(method, params);
        let decoded = match decode_both(json.as_bytes()) {
            Ok(Message::Request(r)) => {
                assert_eq!(r.id, RequestId::Number(77));
                assert_eq!(r.progress_token, None);
                r.method()
            }
            Ok(Message::Notification(n)) => n.method(),
            other => panic!("{json}: {other:?}"),
        };
        assert_eq!(decoded, method, "{json}");
    }
}

#[test]
fn methods_without_params_take_an_empty_object_and_nothing_else() {
    for method in Method::ALL {
        if minimal_params(method).0.is_some() {
            continue;
        }
        for params in ["{}", r#"{"_meta":{"k":1}}"#, r#"{"extra":[1]}"#, "null"] {
            let json = message(method, Some(params));
            if params == "null" {
                assert_eq!(code(&json), -32602, "{json}");
            } else {
                assert!(decode_both(json.as_bytes()).is_ok(), "{json}");
            }
        }
        for params in ["[]", "1", r#""x""#] {
            let err = decode_both(message(method, Some(params)).as_bytes()).unwrap_err();
            assert_eq!(err.code(), -32602, "{method} {params}");
            assert!(err.message().contains(method.name()), "{err}");
        }
    }
}

#[test]
fn a_method_sent_as_the_wrong_kind_is_an_invalid_request() {
    for method in Method::ALL {
        let (params, _) = minimal_params(method);
        let params = params.map_or(String::new(), |p| format!(r#","params":{p}"#));
        let json = if method.is_notification() {
            format!(r#"{{"jsonrpc":"2.0","id":5,"method":"{method}"{params}}}"#)
        } else {
            format!(r#"{{"jsonrpc":"2.0","method":"{method}"{params}}}"#)
        };
        assert_eq!(code(&json), -32600, "{json}");
    }
}

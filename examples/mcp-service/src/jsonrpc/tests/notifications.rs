//! Notifications of both directions, decoded.

use super::*;

#[test]
fn notifications_decode() {
    assert_eq!(
        notification(r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#),
        Notification::Initialized
    );
    let Notification::Progress(p) = notification(
        r#"{"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":"t1","progress":50,"total":200.5,"message":"half"}}"#,
    ) else {
        panic!()
    };
    assert_eq!(p.progress_token, RequestId::String("t1".into()));
    assert_eq!((p.progress, p.total), (50.0, Some(200.5)));
    assert_eq!(p.message.as_deref(), Some("half"));
    let Notification::Progress(p) = notification(
        r#"{"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":7,"progress":0.25}}"#,
    ) else {
        panic!()
    };
    assert_eq!(
        (p.progress_token, p.progress, p.total),
        (RequestId::Number(7), 0.25, None)
    );

    let n = notification(
        r#"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":"r-9","reason":"user"}}"#,
    );
    assert_eq!(n.method(), Method::NotificationsCancelled);
    assert_eq!(
        n,
        Notification::Cancelled(CancelledParams {
            request_id: RequestId::String("r-9".into()),
            reason: Some("user".into())
        })
    );

    let Notification::Message(m) = notification(
        r#"{"jsonrpc":"2.0","method":"notifications/message","params":{"level":"warning","logger":"db","data":{"msg":"slow"}}}"#,
    ) else {
        panic!()
    };
    assert_eq!(m.level, LoggingLevel::Warning);
    assert_eq!(m.logger.as_deref(), Some("db"));
    assert_eq!(m.data.get(), r#"{"msg":"slow"}"#);
}

#[test]
fn list_changed_and_resource_updated_notifications_decode() {
    for (method, expected, sender) in [
        (
            "notifications/roots/list_changed",
            Notification::RootsListChanged,
            Sender::Client,
        ),
        (
            "notifications/resources/list_changed",
            Notification::ResourceListChanged,
            Sender::Server,
        ),
        (
            "notifications/tools/list_changed",
            Notification::ToolListChanged,
            Sender::Server,
        ),
        (
            "notifications/prompts/list_changed",
            Notification::PromptListChanged,
            Sender::Server,
        ),
    ] {
        let json = format!(r#"{{"jsonrpc":"2.0","method":"{method}"}}"#);
        let n = notification(&json);
        assert_eq!(n, expected);
        assert_eq!((n.method().name(), n.method().sender()), (method, sender));
        // With an id it is not a notification.
        let json = format!(r#"{{"jsonrpc":"2.0","id":1,"method":"{method}"}}"#);
        let err = decode_both(json.as_bytes()).unwrap_err();
        assert_eq!(
            (err.code(), err.id()),
            (-32600, Some(&RequestId::Number(1)))
        );
    }

    let n = notification(
        r#"{"jsonrpc":"2.0","method":"notifications/resources/updated","params":{"uri":"db://mcp/tables/users","_meta":{"seq":4}}}"#,
    );
    assert_eq!(
        n,
        Notification::ResourceUpdated(ResourceParams {
            uri: "db://mcp/tables/users".into()
        })
    );
    assert_eq!(n.method().sender(), Sender::Server);
}

#[test]
fn progress_and_cancellation_go_both_ways() {
    for method in [
        Method::NotificationsProgress,
        Method::NotificationsCancelled,
        Method::Ping,
    ] {
        assert_eq!(method.sender(), Sender::Either, "{method}");
    }
    let n = notification(
        r#"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":"srv-3"}}"#,
    );
    assert_eq!(n.method(), Method::NotificationsCancelled);
}

//! The naive decoder's reading of each method's parameters from a `Value` tree, with the checks
//! the typed parameter types apply.

use std::borrow::Cow;

use serde_json::Value;

use super::{
    Object, integer, object, opt_bool, opt_integer, opt_number, opt_object, opt_object_payload,
    opt_string, opt_strings, payload, request_id, string,
};
use crate::jsonrpc::params::{
    Annotations, CallToolParams, CancelledParams, ClientCapabilities, CompleteParams,
    CompletionArgument, CompletionContext, CompletionReference, CreateMessageParams, ElicitParams,
    GetPromptParams, Implementation, IncludeContext, InitializeParams, LoggingLevel,
    LoggingMessageParams, ModelHint, ModelPreferences, PaginatedParams, PrimitiveSchema,
    ProgressParams, RequestedSchema, ResourceParams, Role, RootsCapability, SamplingContent,
    SamplingMessage, SchemaMembers, SetLevelParams, StringFormat, StringMap, is_uri,
};

pub(super) fn initialize(params: &Object) -> Result<InitializeParams<'static>, String> {
    let client_info = object(params, "clientInfo")?;
    Ok(InitializeParams {
        protocol_version: string(params, "protocolVersion")?,
        capabilities: capabilities(object(params, "capabilities")?)?,
        client_info: Implementation {
            name: string(client_info, "name")?,
            version: string(client_info, "version")?,
            title: opt_string(client_info, "title")?,
        },
    })
}

fn capabilities(capabilities: &Object) -> Result<ClientCapabilities<'static>, String> {
    let experimental = opt_object(capabilities, "experimental")?;
    if let Some((name, _)) = experimental.and_then(|e| e.iter().find(|(_, v)| !v.is_object())) {
        return Err(format!(
            "experimental capability `{name}` must be an object"
        ));
    }
    Ok(ClientCapabilities {
        experimental: opt_object_payload(capabilities, "experimental")?,
        roots: opt_object(capabilities, "roots")?
            .map(|roots| {
                Ok::<_, String>(RootsCapability {
                    list_changed: opt_bool(roots, "listChanged")?,
                })
            })
            .transpose()?,
        sampling: opt_object_payload(capabilities, "sampling")?,
        elicitation: opt_object_payload(capabilities, "elicitation")?,
    })
}

pub(super) fn paginated(params: Option<&Object>) -> Result<PaginatedParams<'static>, String> {
    Ok(PaginatedParams {
        cursor: match params {
            Some(params) => opt_string(params, "cursor")?,
            None => None,
        },
    })
}

pub(super) fn resource(params: &Object) -> Result<ResourceParams<'static>, String> {
    let uri = string(params, "uri")?;
    if !is_uri(&uri) {
        return Err(format!(
            "invalid value: {uri:?}, expected a URI with a scheme"
        ));
    }
    Ok(ResourceParams { uri })
}

pub(super) fn call_tool(params: &Object) -> Result<CallToolParams<'static>, String> {
    Ok(CallToolParams {
        name: string(params, "name")?,
        arguments: opt_object_payload(params, "arguments")?,
    })
}

pub(super) fn get_prompt(params: &Object) -> Result<GetPromptParams<'static>, String> {
    Ok(GetPromptParams {
        name: string(params, "name")?,
        arguments: opt_string_map(params, "arguments")?,
    })
}

pub(super) fn complete(params: &Object) -> Result<CompleteParams<'static>, String> {
    let reference = object(params, "ref")?;
    let kind = string(reference, "type")?;
    let reference = CompletionReference::from_parts(
        &kind,
        opt_string(reference, "name")?,
        opt_string(reference, "uri")?,
    )?;
    let argument = object(params, "argument")?;
    let context = match opt_object(params, "context")? {
        Some(context) => Some(CompletionContext {
            arguments: opt_string_map(context, "arguments")?,
        }),
        None => None,
    };
    Ok(CompleteParams {
        reference,
        argument: CompletionArgument {
            name: string(argument, "name")?,
            value: string(argument, "value")?,
        },
        context,
    })
}

pub(super) fn set_level(params: &Object) -> Result<SetLevelParams, String> {
    Ok(SetLevelParams {
        level: level(params)?,
    })
}

pub(super) fn create_message(params: &Object) -> Result<CreateMessageParams<'static>, String> {
    let messages = match params.get("messages") {
        Some(Value::Array(messages)) => messages
            .iter()
            .map(sampling_message)
            .collect::<Result<_, _>>()?,
        Some(_) => return Err("`messages` must be an array".to_owned()),
        None => return Err("missing field `messages`".to_owned()),
    };
    let include_context = match opt_string(params, "includeContext")? {
        Some(name) => Some(
            IncludeContext::from_name(&name)
                .ok_or_else(|| format!("unknown includeContext {name:?}"))?,
        ),
        None => None,
    };
    Ok(CreateMessageParams {
        messages,
        model_preferences: opt_object(params, "modelPreferences")?
            .map(model_preferences)
            .transpose()?,
        system_prompt: opt_string(params, "systemPrompt")?,
        include_context,
        temperature: opt_number(params, "temperature")?,
        max_tokens: match params.get("maxTokens") {
            Some(value) => integer(value).ok_or("`maxTokens` must be an integer")?,
            None => return Err("missing field `maxTokens`".to_owned()),
        },
        stop_sequences: opt_strings(params, "stopSequences")?,
        metadata: opt_object_payload(params, "metadata")?,
    })
}

fn sampling_message(message: &Value) -> Result<SamplingMessage<'static>, String> {
    let Value::Object(message) = message else {
        return Err("each message must be an object".to_owned());
    };
    let content = object(message, "content")?;
    let annotations = opt_object(content, "annotations")?
        .map(annotations)
        .transpose()?;
    opt_object(content, "_meta")?;
    Ok(SamplingMessage {
        role: role(message.get("role").ok_or("missing field `role`")?)?,
        content: SamplingContent::from_parts(
            &string(content, "type")?,
            opt_string(content, "text")?,
            opt_string(content, "data")?,
            opt_string(content, "mimeType")?,
            annotations,
        )?,
    })
}

fn role(value: &Value) -> Result<Role, String> {
    value
        .as_str()
        .and_then(Role::from_name)
        .ok_or_else(|| format!("invalid role {value}, expected \"user\" or \"assistant\""))
}

fn annotations(annotations: &Object) -> Result<Annotations<'static>, String> {
    let audience = match annotations.get("audience") {
        None | Some(Value::Null) => None,
        Some(Value::Array(roles)) => Some(roles.iter().map(role).collect::<Result<_, _>>()?),
        Some(_) => return Err("`audience` must be an array".to_owned()),
    };
    Ok(Annotations {
        audience,
        priority: unit_interval(annotations, "priority")?,
        last_modified: opt_string(annotations, "lastModified")?,
    })
}

fn model_preferences(preferences: &Object) -> Result<ModelPreferences<'static>, String> {
    let hints = match preferences.get("hints") {
        None | Some(Value::Null) => None,
        Some(Value::Array(hints)) => Some(
            hints
                .iter()
                .map(|hint| match hint {
                    Value::Object(hint) => Ok(ModelHint {
                        name: opt_string(hint, "name")?,
                    }),
                    _ => Err("each hint must be an object".to_owned()),
                })
                .collect::<Result<_, String>>()?,
        ),
        Some(_) => return Err("`hints` must be an array".to_owned()),
    };
    Ok(ModelPreferences {
        hints,
        cost_priority: unit_interval(preferences, "costPriority")?,
        speed_priority: unit_interval(preferences, "speedPriority")?,
        intelligence_priority: unit_interval(preferences, "intelligencePriority")?,
    })
}

fn unit_interval(object: &Object, key: &str) -> Result<Option<f64>, String> {
    match opt_number(object, key)? {
        Some(x) if !(0.0..=1.0).contains(&x) => Err(format!("`{key}` must be from 0 to 1")),
        x => Ok(x),
    }
}

pub(super) fn elicit(params: &Object) -> Result<ElicitParams<'static>, String> {
    let schema = object(params, "requestedSchema")?;
    let properties = match schema.get("properties") {
        Some(Value::Object(properties)) => Some(
            properties
                .iter()
                .map(|(name, property)| match property {
                    Value::Object(property) => {
                        Ok((Cow::Owned(name.clone()), primitive_schema(property)?))
                    }
                    _ => Err(format!("property `{name}` must be an object")),
                })
                .collect::<Result<_, String>>()?,
        ),
        Some(_) => return Err("`properties` must be an object".to_owned()),
        None => None,
    };
    let kind = match schema.get("type") {
        Some(Value::String(kind)) => Some(kind.as_str()),
        Some(_) => return Err("`type` must be a string".to_owned()),
        None => None,
    };
    Ok(ElicitParams {
        message: string(params, "message")?,
        requested_schema: RequestedSchema::from_parts(
            kind,
            properties,
            opt_strings(schema, "required")?,
        )?,
    })
}

fn primitive_schema(property: &Object) -> Result<PrimitiveSchema<'static>, String> {
    let format = match opt_string(property, "format")? {
        Some(name) => {
            Some(StringFormat::from_name(&name).ok_or_else(|| format!("unknown format {name:?}"))?)
        }
        None => None,
    };
    PrimitiveSchema::from_members(SchemaMembers {
        kind: string(property, "type")?,
        title: opt_string(property, "title")?,
        description: opt_string(property, "description")?,
        min_length: opt_integer(property, "minLength")?,
        max_length: opt_integer(property, "maxLength")?,
        format,
        minimum: opt_number(property, "minimum")?,
        maximum: opt_number(property, "maximum")?,
        default: opt_bool(property, "default")?,
        values: opt_strings(property, "enum")?,
        enum_names: opt_strings(property, "enumNames")?,
    })
}

pub(super) fn progress(params: &Object) -> Result<ProgressParams<'static>, String> {
    Ok(ProgressParams {
        progress_token: match params.get("progressToken") {
            Some(value) => {
                request_id(value).ok_or("`progressToken` must be a string or an integer")?
            }
            None => return Err("missing field `progressToken`".to_owned()),
        },
        progress: match params.get("progress") {
            Some(value) => value.as_f64().ok_or("`progress` must be a number")?,
            None => return Err("missing field `progress`".to_owned()),
        },
        total: opt_number(params, "total")?,
        message: opt_string(params, "message")?,
    })
}

pub(super) fn cancelled(params: &Object) -> Result<CancelledParams<'static>, String> {
    Ok(CancelledParams {
        request_id: match params.get("requestId") {
            Some(value) => request_id(value).ok_or("`requestId` must be a string or an integer")?,
            None => return Err("missing field `requestId`".to_owned()),
        },
        reason: opt_string(params, "reason")?,
    })
}

pub(super) fn logging_message(params: &Object) -> Result<LoggingMessageParams<'static>, String> {
    Ok(LoggingMessageParams {
        level: level(params)?,
        logger: opt_string(params, "logger")?,
        data: params
            .get("data")
            .map(payload)
            .ok_or("missing field `data`")?,
    })
}

fn level(params: &Object) -> Result<LoggingLevel, String> {
    let name = string(params, "level")?;
    LoggingLevel::from_name(&name).ok_or_else(|| format!("unknown logging level {name:?}"))
}

fn opt_string_map(params: &Object, key: &str) -> Result<Option<StringMap<'static>>, String> {
    let Some(map) = opt_object(params, key)? else {
        return Ok(None);
    };
    let mut entries = Vec::with_capacity(map.len());
    for (name, value) in map {
        let Value::String(value) = value else {
            return Err(format!("argument `{name}` must be a string"));
        };
        entries.push((Cow::Owned(name.clone()), Cow::Owned(value.clone())));
    }
    StringMap::from_entries(entries).map(Some)
}

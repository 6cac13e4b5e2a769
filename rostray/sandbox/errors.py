"""ROS API errors as the sandbox raises them: code, message and HTTP status as ROS sends."""

from __future__ import annotations

from dataclasses import dataclass

HOST_ID = "ros.aliyuncs.com"


@dataclass
class RosApiError(Exception):
    code: str
    message: str
    status: int = 400

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"

    def body(self, request_id: str) -> dict[str, str]:
        return {
            "RequestId": request_id,
            "HostId": HOST_ID,
            "Code": self.code,
            "Message": self.message,
            "Recommend": f"https://next.api.aliyun.com/troubleshoot?q={self.code}&product=ROS",
        }


def stack_not_found(name: str) -> RosApiError:
    return RosApiError("StackNotFound", f"The Stack ({name}) could not be found.", 404)


def stack_exists(name: str) -> RosApiError:
    return RosApiError("StackExists", f"The Stack ({name}) already exists.", 409)


def action_in_progress(name: str, action: str) -> RosApiError:
    return RosApiError(
        "ActionInProgress", f"Stack {name} already has an action ({action}) in progress.", 409
    )


def parameter_missing(name: str) -> RosApiError:
    return RosApiError("UserParameterMissing", f"The Parameter {name} was not provided.")


def unknown_parameter(name: str) -> RosApiError:
    return RosApiError(
        "UnknownUserParameter", f"The Parameter ({name}) was not defined in template."
    )


def invalid_reference(name: str, referencer: str) -> RosApiError:
    return RosApiError(
        "InvalidTemplateReference",
        f'The specified reference "{name}" (in {referencer}) is incorrect.',
    )


def invalid_attribute(resource: str, name: str) -> RosApiError:
    return RosApiError(
        "InvalidTemplateAttribute", f"The Referenced Attribute ({resource} {name}) is incorrect."
    )


def invalid_section(section: str) -> RosApiError:
    return RosApiError("InvalidTemplateSection", f"The template section is invalid: {section}.")


def invalid_version(reason: str) -> RosApiError:
    return RosApiError("InvalidTemplateVersion", f"The template version is invalid: {reason}.")


def circular_dependency(reason: str) -> RosApiError:
    return RosApiError("CircularDependency", f"Circular Dependency Found: {reason}.")


def validation_failed(reason: str) -> RosApiError:
    return RosApiError("StackValidationFailed", f"{reason.rstrip('.')}.")


def invalid_template(reason: str) -> RosApiError:
    return RosApiError("InvalidTemplate", f"{reason.rstrip('.')}.")


def invalid_schema(reason: str) -> RosApiError:
    return RosApiError("InvalidSchema", f"{reason.rstrip('.')}.")


def not_supported(reason: str) -> RosApiError:
    return RosApiError("NotSupported", f"{reason.rstrip('.')}.")


def missing_parameter(name: str) -> RosApiError:
    return RosApiError(f"Missing{name}", f"{name} is mandatory for this action.")


def invalid_parameter(name: str, reason: str) -> RosApiError:
    # ROS's common error text: "The specified parameter {name} is invalid, {reason}."
    return RosApiError("InvalidParameter", f"The specified parameter {name} is invalid, {reason}.")


def missing_one_of(names: tuple[str, ...]) -> RosApiError:
    """ROS's service-side check that one of several alternative parameters was given."""
    return RosApiError(
        "MissingParameter", f"One of the input parameters {', '.join(names)} should be specified."
    )


def resource_not_found(stack: str, name: str) -> RosApiError:
    return RosApiError(
        "ResourceNotFound", f"The Resource ({name}) could not be found in Stack {stack}.", 404
    )


def action_not_found() -> RosApiError:
    return RosApiError(
        "InvalidAction.NotFound",
        "Specified api is not found, please check your url and method.",
        404,
    )


def signature_mismatch(string_to_sign: str) -> RosApiError:
    # The SDK splits this message at the first colon and compares the rest with its own
    # string to sign; without the colon it crashes. Keep it byte-exact.
    return RosApiError(
        "SignatureDoesNotMatch",
        "Specified signature is not matched with our calculation. server string to sign is:"
        + string_to_sign,
    )


def access_key_not_found() -> RosApiError:
    return RosApiError("InvalidAccessKeyId.NotFound", "Specified access key is not found.", 404)


def timestamp_expired() -> RosApiError:
    return RosApiError("InvalidTimeStamp.Expired", "Specified time stamp or date value is expired.")


def nonce_used() -> RosApiError:
    return RosApiError("SignatureNonceUsed", "Specified signature nonce was used already.")


def incomplete_signature(string_to_sign: str) -> RosApiError:
    return RosApiError(
        "IncompleteSignature",
        "The request signature does not conform to Aliyun standards. server string to sign is:"
        + string_to_sign,
    )

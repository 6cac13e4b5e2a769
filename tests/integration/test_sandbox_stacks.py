"""The sandbox's stack API through the real SDK over real HTTP: lifecycle, notifications,
wait conditions, rollback, events and resources."""

from __future__ import annotations

import asyncio
import re
import shlex

import pytest
from aliyunsdkros.request.v20190910 import (
    CancelUpdateStackRequest,
    DeleteStackRequest,
    DescribeRegionsRequest,
    GetStackRequest,
    GetStackResourceRequest,
    ListStackEventsRequest,
    ListStackResourcesRequest,
    ListStacksRequest,
    SignalResourceRequest,
    UpdateStackRequest,
)
from sandbox_helpers import (
    create,
    expect_error,
    handle_curl,
    run_shell,
    template_json,
    wait_resource,
    wait_terminal,
)
from shared import WAIT_TEMPLATE, template_text

TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$")


async def test_seed_template_completes_and_posts_outputs(ros, recorder) -> None:
    stack_id = await create(
        ros,
        "test-web-hook",
        template_text("seed-webhook.json"),
        NotificationURLs=[recorder.url],
        TimeoutInMinutes=120,
    )
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}", stack_id)
    stack = await wait_terminal(ros, stack_id)
    assert stack["Status"] == "CREATE_COMPLETE"
    assert stack["StatusReason"] == "Stack CREATE completed successfully"
    posts = await recorder.wait_for(lambda p: len(p) == 1)
    body = posts[0]["json"]
    assert set(body) == {"Outputs", "StackId", "StackName", "Status"}
    assert body["StackId"] == stack_id
    assert body["StackName"] == "test-web-hook"
    assert body["Status"] == "CREATE_COMPLETE"
    [output] = body["Outputs"]
    assert output["OutputKey"] == "CurlCli"
    assert output["Description"] == "No description given"
    curl = output["OutputValue"]
    assert curl.startswith("curl -i -X POST -H 'Content-Type: application/json'")
    assert f"stackid={stack_id}" in curl and "resource=WaitConditionHandle" in curl
    assert "\\&" in curl  # ampersands escaped for a shell, as ROS does
    assert posts[0]["headers"]["Content-Type"].startswith("application/json")
    assert stack["Outputs"][0]["OutputValue"] == curl


async def test_get_stack_shape(ros) -> None:
    body = template_json(
        {
            "Description": "shape check",
            "Parameters": {
                "Name": {"Type": "String", "Default": "web"},
                "Password": {"Type": "String", "NoEcho": True},
            },
            "Resources": {},
        }
    )
    stack_id = await create(
        ros,
        "shape",
        body,
        parameters={"Password": "hunter2"},
        DisableRollback=True,
        TimeoutInMinutes=30,
        Tags=[{"Key": "env", "Value": "dev"}],
    )
    stack = await wait_terminal(ros, stack_id)
    assert TIME.match(stack["CreateTime"])
    assert stack["DisableRollback"] is True
    assert stack["TimeoutInMinutes"] == 30
    assert stack["RegionId"] == "cn-hangzhou"
    assert stack["Description"] == "shape check"
    assert stack["Tags"] == [{"Key": "env", "Value": "dev"}]
    assert re.fullmatch(r"[0-9A-F-]{36}", stack["RequestId"])
    params = {p["ParameterKey"]: p["ParameterValue"] for p in stack["Parameters"]}
    assert params["Password"] == "****"
    assert params["Name"] == "web"
    assert params["ALIYUN::StackName"] == "shape"
    assert params["ALIYUN::StackId"] == stack_id
    assert params["ALIYUN::Region"] == "cn-hangzhou"
    assert {"ALIYUN::AccountId", "ALIYUN::TenantId"} <= set(params)
    assert "hunter2" not in str(stack)


async def test_wait_condition_signalled_by_running_its_curl_command(ros, recorder) -> None:
    stack_id = await create(ros, "wait", WAIT_TEMPLATE, NotificationURLs=[recorder.url])
    curl = await handle_curl(ros, stack_id)
    payload = '{"status": "SUCCESS", "data": "hello from the VM", "id": "vm-1"}'
    code, out = await run_shell(f"{curl} -s -d {shlex.quote(payload)}")
    assert code == 0, out
    assert "200 OK" in out
    stack = await wait_terminal(ros, stack_id)
    assert stack["Status"] == "CREATE_COMPLETE"
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack["Outputs"]}
    assert outputs["Data"] == '{"vm-1": "hello from the VM"}'
    await recorder.wait_for(lambda p: len(p) == 1)
    assert recorder.statuses() == ["CREATE_COMPLETE"]


async def test_wait_condition_failure_signal_fails_the_stack(ros) -> None:
    stack_id = await create(ros, "wait-fail", WAIT_TEMPLATE, DisableRollback=True)
    curl = await handle_curl(ros, stack_id)
    payload = '{"status": "FAILURE", "reason": "disk full"}'
    code, out = await run_shell(f"{curl} -s -d {shlex.quote(payload)}")
    assert code == 0, out
    stack = await wait_terminal(ros, stack_id)
    assert stack["Status"] == "CREATE_FAILED"
    assert "WaitConditionFailure" in stack["StatusReason"]
    assert "disk full" in stack["StatusReason"]


async def test_curl_with_a_wrong_signature_is_refused(ros) -> None:
    stack_id = await create(ros, "wait-forged", WAIT_TEMPLATE)
    curl = await handle_curl(ros, stack_id)
    forged = re.sub(r"signature=[0-9a-f]+", "signature=0000", curl)
    _code, out = await run_shell(f"{forged} -s -d '{{}}'")
    assert " 403 " in out.splitlines()[0]
    stack = await ros(GetStackRequest.GetStackRequest, StackId=stack_id)
    assert stack["Status"] == "CREATE_IN_PROGRESS"
    await ros(DeleteStackRequest.DeleteStackRequest, StackId=stack_id)


async def test_timed_out_wait_condition_rolls_back_and_posts_only_the_rollback(
    ros, recorder
) -> None:
    stack_id = await create(
        ros,
        "rollback",
        WAIT_TEMPLATE,
        parameters={"Timeout": "5"},
        NotificationURLs=[recorder.url],
    )
    stack = await wait_terminal(ros, stack_id)
    assert stack["Status"] == "CREATE_ROLLBACK_COMPLETE"
    await recorder.wait_for(lambda p: len(p) == 1)
    await asyncio.sleep(0.1)
    assert recorder.statuses() == ["CREATE_ROLLBACK_COMPLETE"]
    events = await ros(ListStackEventsRequest.ListStackEventsRequest, StackId=stack_id, PageSize=50)
    stack_events = [
        (e["Status"], e["StatusReason"])
        for e in events["Events"]
        if e["ResourceType"] == "ALIYUN::ROS::Stack"
    ]
    assert [s for s, _ in stack_events] == [
        "CREATE_ROLLBACK_COMPLETE",
        "CREATE_ROLLBACK_IN_PROGRESS",
        "CREATE_IN_PROGRESS",
    ]
    reason = stack_events[1][1]
    assert reason == "Resource CREATE failed: WaitConditionTimeout: resources.Wait: 0 of 1 received"
    resources = await ros(ListStackResourcesRequest.ListStackResourcesRequest, StackId=stack_id)
    assert {r["Status"] for r in resources["Resources"]} == {"DELETE_COMPLETE"}


async def test_timed_out_wait_condition_without_rollback_posts_create_failed(ros, recorder) -> None:
    stack_id = await create(
        ros,
        "no-rollback",
        WAIT_TEMPLATE,
        parameters={"Timeout": "5"},
        NotificationURLs=[recorder.url],
        DisableRollback=True,
    )
    stack = await wait_terminal(ros, stack_id)
    assert stack["Status"] == "CREATE_FAILED"
    assert "WaitConditionTimeout" in stack["StatusReason"]
    await recorder.wait_for(lambda p: len(p) == 1)
    assert recorder.statuses() == ["CREATE_FAILED"]
    resources = await ros(ListStackResourcesRequest.ListStackResourcesRequest, StackId=stack_id)
    by_name = {r["LogicalResourceId"]: r["Status"] for r in resources["Resources"]}
    assert by_name == {"Handle": "CREATE_COMPLETE", "Wait": "CREATE_FAILED"}


async def test_signal_resource_api_completes_a_wait_condition(ros) -> None:
    stack_id = await create(ros, "signal-api", WAIT_TEMPLATE)
    await wait_resource(ros, stack_id, "Wait", "CREATE_IN_PROGRESS")
    await ros(
        SignalResourceRequest.SignalResourceRequest,
        StackId=stack_id,
        LogicalResourceId="Wait",
        UniqueId="u1",
        Status="SUCCESS",
    )
    stack = await wait_terminal(ros, stack_id)
    assert stack["Status"] == "CREATE_COMPLETE"


async def test_delete_posts_after_create_and_then_stack_not_found(ros, recorder) -> None:
    stack_id = await create(
        ros, "to-delete", template_text("seed-webhook.json"), NotificationURLs=[recorder.url]
    )
    await wait_terminal(ros, stack_id)
    await ros(DeleteStackRequest.DeleteStackRequest, StackId=stack_id)
    await recorder.wait_for(lambda p: len(p) == 2)
    assert recorder.statuses() == ["CREATE_COMPLETE", "DELETE_COMPLETE"]
    assert recorder.posts[1]["json"]["StackId"] == stack_id
    error = await expect_error(
        ros(GetStackRequest.GetStackRequest, StackId=stack_id), "StackNotFound", 404
    )
    assert error.get_error_msg() == f"The Stack ({stack_id}) could not be found."


async def test_delete_while_waiting_cancels_and_deletes(ros, recorder) -> None:
    stack_id = await create(ros, "delete-early", WAIT_TEMPLATE, NotificationURLs=[recorder.url])
    await wait_resource(ros, stack_id, "Wait", "CREATE_IN_PROGRESS")
    await ros(DeleteStackRequest.DeleteStackRequest, StackId=stack_id)
    await recorder.wait_for(lambda p: len(p) == 1)
    assert recorder.statuses() == ["DELETE_COMPLETE"]
    await expect_error(ros(GetStackRequest.GetStackRequest, StackId=stack_id), "StackNotFound")


async def test_events_newest_first_with_stack_rows(ros) -> None:
    stack_id = await create(ros, "events", template_text("seed-webhook.json"))
    await wait_terminal(ros, stack_id)
    events = await ros(ListStackEventsRequest.ListStackEventsRequest, StackId=stack_id)
    rows = events["Events"]
    assert rows[0]["Status"] == "CREATE_COMPLETE"
    assert rows[0]["ResourceType"] == "ALIYUN::ROS::Stack"
    assert rows[0]["LogicalResourceId"] == "events"
    assert rows[0]["PhysicalResourceId"] == stack_id
    assert rows[-1]["Status"] == "CREATE_IN_PROGRESS"
    assert rows[-1]["StatusReason"] == "Stack CREATE started"
    resource_rows = [r for r in rows if r["LogicalResourceId"] == "WaitConditionHandle"]
    assert [r["Status"] for r in resource_rows] == ["CREATE_COMPLETE", "CREATE_IN_PROGRESS"]
    assert "PhysicalResourceId" not in resource_rows[1]  # empty ids are omitted
    assert events["TotalCount"] == 4
    page2 = await ros(
        ListStackEventsRequest.ListStackEventsRequest, StackId=stack_id, PageSize=3, PageNumber=2
    )
    assert [e["EventId"] for e in page2["Events"]] == [rows[3]["EventId"]]
    only_stack = await ros(
        ListStackEventsRequest.ListStackEventsRequest,
        StackId=stack_id,
        ResourceTypes=["ALIYUN::ROS::Stack"],
    )
    assert len(only_stack["Events"]) == 2


async def test_resources_and_attributes(ros) -> None:
    stack_id = await create(ros, "resources", template_text("seed-webhook.json"))
    await wait_terminal(ros, stack_id)
    listing = await ros(ListStackResourcesRequest.ListStackResourcesRequest, StackId=stack_id)
    [resource] = listing["Resources"]
    assert resource["ResourceType"] == "ALIYUN::ROS::WaitConditionHandle"
    assert resource["Status"] == "CREATE_COMPLETE"
    assert TIME.match(resource["CreateTime"])
    detail = await ros(
        GetStackResourceRequest.GetStackResourceRequest,
        StackId=stack_id,
        LogicalResourceId="WaitConditionHandle",
        ShowResourceAttributes=True,
        ResourceAttributess=["URL"],
    )
    assert [a["ResourceAttributeKey"] for a in detail["ResourceAttributes"]] == ["URL"]
    assert detail["ResourceAttributes"][0]["ResourceAttributeValue"].startswith("http://127.0.0.1")
    await expect_error(
        ros(
            GetStackResourceRequest.GetStackResourceRequest,
            StackId=stack_id,
            LogicalResourceId="Nope",
        ),
        "ResourceNotFound",
        404,
    )


async def test_list_stacks_paging_and_filters(ros) -> None:
    body = template_json({"Resources": {}})
    ids = [await create(ros, f"list-{i}", body) for i in range(3)]
    other = await create(ros, "other", body)
    for stack_id in [*ids, other]:
        await wait_terminal(ros, stack_id)
    everything = await ros(ListStacksRequest.ListStacksRequest, PageSize=50)
    assert everything["TotalCount"] == 4
    assert "Outputs" not in everything["Stacks"][0]
    page = await ros(
        ListStacksRequest.ListStacksRequest, StackNames=["list-*"], PageSize=2, PageNumber=2
    )
    assert page["TotalCount"] == 3 and len(page["Stacks"]) == 1
    assert page["PageNumber"] == 2 and page["PageSize"] == 2
    by_status = await ros(ListStacksRequest.ListStacksRequest, Statuss=["CREATE_FAILED"])
    assert by_status["Stacks"] == []
    exact = await ros(ListStacksRequest.ListStacksRequest, StackNames=["other"])
    assert [s["StackId"] for s in exact["Stacks"]] == [other]
    await expect_error(ros(ListStacksRequest.ListStacksRequest, PageSize=51), "InvalidParameter")


async def test_tags_on_create_and_the_list_stacks_tag_filter(ros) -> None:
    """CreateStack's Tags.N and ListStacks' Tag.N through the SDK's own setters: every tag
    given must be on the stack; a tag without a Value matches any value of its key."""
    body = template_json({"Resources": {}})
    tagged = await create(
        ros,
        "tagged",
        body,
        Tagss=[{"Key": "env", "Value": "dev"}, {"Key": "launch", "Value": "a1"}],
    )
    other = await create(ros, "other", body, Tagss=[{"Key": "env", "Value": "prod"}])
    await create(ros, "untagged", body)
    stack = await ros(GetStackRequest.GetStackRequest, StackId=tagged)
    assert stack["Tags"] == [{"Key": "env", "Value": "dev"}, {"Key": "launch", "Value": "a1"}]

    async def names(**filters) -> list[str]:
        found = await ros(ListStacksRequest.ListStacksRequest, PageSize=50, **filters)
        assert found["TotalCount"] == len(found["Stacks"])
        return sorted(s["StackName"] for s in found["Stacks"])

    assert await names(Tags=[{"Key": "launch", "Value": "a1"}]) == ["tagged"]
    assert await names(Tags=[{"Key": "launch", "Value": "a2"}]) == []
    assert await names(Tags=[{"Key": "env"}]) == ["other", "tagged"]
    assert await names(Tags=[{"Key": "env"}, {"Key": "launch", "Value": "a1"}]) == ["tagged"]
    assert await names(Tags=[{"Key": "env", "Value": "prod"}, {"Key": "launch"}]) == []
    assert await names(StackNames=["tagged"], Tags=[{"Key": "launch", "Value": "a1"}]) == ["tagged"]
    assert await names(StackNames=["other"], Tags=[{"Key": "launch", "Value": "a1"}]) == []
    [listed] = (await ros(ListStacksRequest.ListStacksRequest, StackId=other))["Stacks"]
    assert listed["Tags"] == [{"Key": "env", "Value": "prod"}]


async def test_tags_are_checked_as_ros_checks_them(ros) -> None:
    body = template_json({"Resources": {}})
    too_many = [{"Key": f"k{i}", "Value": "v"} for i in range(21)]
    await expect_error(create(ros, "many", body, Tagss=too_many), "InvalidParameter", 400)
    await expect_error(create(ros, "nokey", body, Tagss=[{"Value": "v"}]), "MissingTags.1.Key")
    twice = [{"Key": "k", "Value": "1"}, {"Key": "k", "Value": "2"}]
    await expect_error(create(ros, "twice", body, Tagss=twice), "InvalidParameter")
    long_value = [{"Key": "k", "Value": "v" * 129}]
    await expect_error(create(ros, "long", body, Tagss=long_value), "InvalidParameter")
    await create(ros, "twenty", body, Tagss=too_many[:20])
    await expect_error(
        ros(ListStacksRequest.ListStacksRequest, Tags=too_many), "InvalidParameter", 400
    )
    assert not (await ros(ListStacksRequest.ListStacksRequest, Tags=[{"Key": "k"}]))["Stacks"]


async def test_update_stack_changes_outputs_and_posts(ros, recorder) -> None:
    body = template_json(
        {
            "Parameters": {"Greeting": {"Type": "String", "Default": "hello"}},
            "Resources": {
                "Pause": {"Type": "ALIYUN::ROS::Sleep", "Properties": {"CreateDuration": 1}}
            },
            "Outputs": {"Message": {"Value": {"Fn::Sub": "${Greeting}, ${ALIYUN::StackName}"}}},
        }
    )
    stack_id = await create(ros, "updatable", body, NotificationURLs=[recorder.url])
    stack = await wait_terminal(ros, stack_id)
    assert stack["Outputs"][0]["OutputValue"] == "hello, updatable"
    await expect_error(
        ros(UpdateStackRequest.UpdateStackRequest, StackId=stack_id, TemplateBody=body),
        "NotSupported",
    )
    await ros(
        UpdateStackRequest.UpdateStackRequest,
        StackId=stack_id,
        TemplateBody=body,
        Parameters=[{"ParameterKey": "Greeting", "ParameterValue": "bye"}],
    )
    stack = await wait_terminal(ros, stack_id)
    assert stack["Status"] == "UPDATE_COMPLETE"
    assert stack["StatusReason"] == "Stack successfully updated"
    assert TIME.match(stack["UpdateTime"])
    assert stack["Outputs"][0]["OutputValue"] == "bye, updatable"
    await recorder.wait_for(lambda p: len(p) == 2)
    assert recorder.statuses() == ["CREATE_COMPLETE", "UPDATE_COMPLETE"]
    assert recorder.posts[1]["json"]["Outputs"][0]["OutputValue"] == "bye, updatable"


async def test_update_in_progress_is_refused_and_cancel_rolls_back(ros, recorder) -> None:
    body = template_json(
        {
            "Parameters": {"Seconds": {"Type": "Number", "Default": 1}},
            "Resources": {
                "Pause": {
                    "Type": "ALIYUN::ROS::Sleep",
                    "Properties": {
                        "CreateDuration": 1,
                        "UpdateDuration": {"Ref": "Seconds"},
                        "Triggers": {"S": {"Ref": "Seconds"}},
                    },
                }
            },
        }
    )
    stack_id = await create(ros, "cancel-me", body, NotificationURLs=[recorder.url])
    await wait_terminal(ros, stack_id)
    await ros(
        UpdateStackRequest.UpdateStackRequest,
        StackId=stack_id,
        TemplateBody=body,
        Parameters=[{"ParameterKey": "Seconds", "ParameterValue": "1800"}],
    )
    await expect_error(
        ros(UpdateStackRequest.UpdateStackRequest, StackId=stack_id, TemplateBody=body),
        "ActionInProgress",
        409,
    )
    await wait_resource(ros, stack_id, "Pause", "UPDATE_IN_PROGRESS")
    await ros(CancelUpdateStackRequest.CancelUpdateStackRequest, StackId=stack_id)
    stack = await wait_terminal(ros, stack_id)
    assert stack["Status"] == "ROLLBACK_COMPLETE"
    await recorder.wait_for(lambda p: len(p) == 2)
    assert recorder.statuses() == ["CREATE_COMPLETE", "ROLLBACK_COMPLETE"]
    params = {p["ParameterKey"]: p["ParameterValue"] for p in stack["Parameters"]}
    assert params["Seconds"] == "1"


async def test_client_token_makes_create_idempotent(ros) -> None:
    body = template_json({"Resources": {}})
    first = await create(ros, "idem", body, ClientToken="token-123")
    second = await create(ros, "idem", body, ClientToken="token-123")
    assert first == second
    await expect_error(create(ros, "idem", body, ClientToken="token-456"), "StackExists", 409)


async def test_slow_notification_url_never_blocks_the_stack(ros, recorder, sandbox) -> None:
    sandbox.engine.sender.timeout = 0.5
    dead = "http://127.0.0.1:9/hooks/dead"  # discard port: refused at once
    stack_id = await create(
        ros,
        "dead-url",
        template_text("seed-webhook.json"),
        NotificationURLs=[dead, "eventbridge", recorder.url],
    )
    stack = await wait_terminal(ros, stack_id)
    assert stack["Status"] == "CREATE_COMPLETE"
    await recorder.wait_for(lambda p: len(p) == 1)
    await sandbox.engine.sender.wait_idle()
    failed = [d for d in sandbox.engine.sender.deliveries if d.url == dead]
    assert failed and failed[0].error


async def test_describe_regions_in_both_languages(ros) -> None:
    zh = await ros(DescribeRegionsRequest.DescribeRegionsRequest)
    en = await ros(DescribeRegionsRequest.DescribeRegionsRequest, AcceptLanguage="en-US")
    zh_names = {r["RegionId"]: r["LocalName"] for r in zh["Regions"]}
    en_names = {r["RegionId"]: r["LocalName"] for r in en["Regions"]}
    assert zh_names["cn-hangzhou"] == "华东1（杭州）"
    assert en_names["cn-hangzhou"] == "China (Hangzhou)"
    assert {r["RegionEndpoint"] for r in en["Regions"]} == {"ros.aliyuncs.com"}


@pytest.mark.parametrize("rollback", [False, True])
async def test_stack_timeout(ros, rollback: bool) -> None:
    body = template_json(
        {
            "Resources": {
                "Long": {"Type": "ALIYUN::ROS::Sleep", "Properties": {"CreateDuration": 1800}}
            }
        }
    )
    stack_id = await create(
        ros, f"timeout-{rollback}", body, TimeoutInMinutes=10, DisableRollback=not rollback
    )
    stack = await wait_terminal(ros, stack_id, timeout=30)
    assert stack["Status"] == ("CREATE_ROLLBACK_COMPLETE" if rollback else "CREATE_FAILED")
    if not rollback:
        assert stack["StatusReason"] == "Stack CREATE timed out"

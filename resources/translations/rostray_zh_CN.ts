<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>Alerts</name>
    <message>
        <location filename="../../rostray/core/alerts.py" line="23"/>
        <source>created</source>
        <translation>已创建</translation>
    </message>
    <message>
        <location filename="../../rostray/core/alerts.py" line="24"/>
        <source>updated</source>
        <translation>已更新</translation>
    </message>
    <message>
        <location filename="../../rostray/core/alerts.py" line="25"/>
        <source>deleted</source>
        <translation>已删除</translation>
    </message>
    <message>
        <location filename="../../rostray/core/alerts.py" line="26"/>
        <source>creation failed</source>
        <translation>创建失败</translation>
    </message>
    <message>
        <location filename="../../rostray/core/alerts.py" line="27"/>
        <source>update failed</source>
        <translation>更新失败</translation>
    </message>
    <message>
        <location filename="../../rostray/core/alerts.py" line="28"/>
        <source>deletion failed</source>
        <translation>删除失败</translation>
    </message>
    <message>
        <location filename="../../rostray/core/alerts.py" line="29"/>
        <source>creation failed, rolled back</source>
        <translation>创建失败，已回滚</translation>
    </message>
    <message>
        <location filename="../../rostray/core/alerts.py" line="30"/>
        <source>creation failed, rollback failed</source>
        <translation>创建失败，回滚失败</translation>
    </message>
    <message>
        <location filename="../../rostray/core/alerts.py" line="31"/>
        <source>update failed, rolled back</source>
        <translation>更新失败，已回滚</translation>
    </message>
    <message>
        <location filename="../../rostray/core/alerts.py" line="32"/>
        <source>update failed, rollback failed</source>
        <translation>更新失败，回滚失败</translation>
    </message>
    <message>
        <location filename="../../rostray/core/alerts.py" line="61"/>
        <source>{name} {word} — {status}</source>
        <translation>资源栈 {name} {word} — {status}</translation>
    </message>
    <message>
        <location filename="../../rostray/core/alerts.py" line="65"/>
        <source>{name}: {status}</source>
        <translation>资源栈 {name}：{status}</translation>
    </message>
    <message>
        <location filename="../../rostray/core/alerts.py" line="67"/>
        <source>{title} (sandbox)</source>
        <translation>{title}（沙箱）</translation>
    </message>
    <message>
        <location filename="../../rostray/core/alerts.py" line="76"/>
        <source>+1 more output</source>
        <translation>另有 1 项输出</translation>
    </message>
    <message>
        <location filename="../../rostray/core/alerts.py" line="78"/>
        <source>+{count} more outputs</source>
        <translation>另有 {count} 项输出</translation>
    </message>
    <message>
        <location filename="../../rostray/core/alerts.py" line="80"/>
        <source>No outputs.</source>
        <translation>无输出。</translation>
    </message>
    <message>
        <location filename="../../rostray/core/alerts.py" line="89"/>
        <source>Copy {key}</source>
        <translation>复制 {key}</translation>
    </message>
    <message>
        <location filename="../../rostray/core/alerts.py" line="100"/>
        <source>{count} stacks finished, {failed} failed</source>
        <translation>{count} 个资源栈已结束，其中 {failed} 个失败</translation>
    </message>
    <message>
        <location filename="../../rostray/core/alerts.py" line="104"/>
        <source>{count} stacks finished</source>
        <translation>{count} 个资源栈已结束</translation>
    </message>
    <message>
        <location filename="../../rostray/core/alerts.py" line="110"/>
        <source>+{count} more</source>
        <translation>另有 {count} 个</translation>
    </message>
</context>
<context>
    <name>ChoiceField</name>
    <message>
        <location filename="../../rostray/gui/param_fields.py" line="589"/>
        <source>(none)</source>
        <translation>（无）</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/param_fields.py" line="593"/>
        <source>Choose…</source>
        <translation>请选择…</translation>
    </message>
</context>
<context>
    <name>Cli</name>
    <message>
        <location filename="../../rostray/commands/desktop.py" line="24"/>
        <source>installed {path}</source>
        <translation>已安装 {path}</translation>
    </message>
    <message>
        <location filename="../../rostray/commands/desktop.py" line="31"/>
        <source>removed {path}</source>
        <translation>已移除 {path}</translation>
    </message>
    <message>
        <location filename="../../rostray/commands/desktop.py" line="33"/>
        <source>nothing to remove</source>
        <translation>没有需要移除的内容</translation>
    </message>
    <message>
        <location filename="../../rostray/commands/headless.py" line="102"/>
        <source>{error} — using default settings until it is fixed</source>
        <translation>{error} — 在修正之前使用默认设置</translation>
    </message>
    <message>
        <location filename="../../rostray/commands/headless.py" line="200"/>
        <source>rostray: no display found; running headless (results print as JSON lines).</source>
        <translation>rostray: 未找到显示器，以无界面模式运行（结果以 JSON 行输出）。</translation>
    </message>
    <message>
        <location filename="../../rostray/commands/headless.py" line="210"/>
        <source>rostray: the GUI is not available here; running headless (results print as JSON lines).</source>
        <translation>rostray: 此处无法使用图形界面，以无界面模式运行（结果以 JSON 行输出）。</translation>
    </message>
    <message>
        <location filename="../../rostray/commands/output.py" line="24"/>
        <source>callback</source>
        <translation>回调</translation>
    </message>
    <message>
        <location filename="../../rostray/commands/output.py" line="25"/>
        <source>poll</source>
        <translation>轮询</translation>
    </message>
    <message>
        <location filename="../../rostray/commands/output.py" line="26"/>
        <source>reconcile</source>
        <translation>启动时核对</translation>
    </message>
    <message>
        <location filename="../../rostray/commands/output.py" line="60"/>
        <source>{status} ({word})</source>
        <translation>{status}（{word}）</translation>
    </message>
    <message>
        <location filename="../../rostray/commands/output.py" line="70"/>
        <source>  (no outputs)</source>
        <translation>  （无输出）</translation>
    </message>
    <message>
        <location filename="../../rostray/commands/output.py" line="97"/>
        <source>{mark} {name}: {status} after {duration} (learned by {via})</source>
        <translation>{mark} {name}：{status}，耗时 {duration}（通过{via}得知）</translation>
    </message>
    <message>
        <location filename="../../rostray/commands/output.py" line="109"/>
        <source>  Console: {url}</source>
        <translation>  控制台：{url}</translation>
    </message>
    <message>
        <location filename="../../rostray/commands/output.py" line="110"/>
        <source>Outputs:</source>
        <translation>输出：</translation>
    </message>
    <message>
        <location filename="../../rostray/commands/output.py" line="116"/>
        <source>  StackId: {stack_id}   Region: {region}</source>
        <translation>  资源栈 ID：{stack_id}   地域：{region}</translation>
    </message>
    <message>
        <location filename="../../rostray/commands/output.py" line="122"/>
        <source>  Reason: {reason}</source>
        <translation>  原因：{reason}</translation>
    </message>
    <message>
        <location filename="../../rostray/commands/output.py" line="151"/>
        <source> {done}/{total} resources</source>
        <translation> {done}/{total} 个资源</translation>
    </message>
    <message>
        <location filename="../../rostray/commands/sandbox.py" line="58"/>
        <source>rostray sandbox: cannot listen on {address}: {error}</source>
        <translation>rostray sandbox: 无法监听 {address}：{error}</translation>
    </message>
    <message>
        <location filename="../../rostray/commands/stacks.py" line="53"/>
        <source>{what} must look like KEY=VALUE, got {item}</source>
        <translation>{what} 的格式应为 KEY=VALUE，实际为 {item}</translation>
    </message>
    <message>
        <location filename="../../rostray/commands/stacks.py" line="73"/>
        <source>template {name} not found (bundled samples: {names})</source>
        <translation>未找到模板 {name}（内置示例：{names}）</translation>
    </message>
    <message>
        <location filename="../../rostray/commands/stacks.py" line="81"/>
        <source>cannot read template {path}: {error}</source>
        <translation>无法读取模板 {path}：{error}</translation>
    </message>
    <message>
        <location filename="../../rostray/commands/stacks.py" line="161"/>
        <source>The stack keeps running. Follow it with `rostray status {stack_id}`; rostray announces its result the next time it runs.</source>
        <translation>资源栈仍在运行。可用 `rostray status {stack_id}` 查看进度；rostray 下次运行时会通知其结果。</translation>
    </message>
    <message>
        <location filename="../../rostray/commands/stacks.py" line="171"/>
        <source>embedded ROS sandbox at {endpoint} (no cloud account used)</source>
        <translation>内置 ROS 沙箱 {endpoint}（不使用云账号）</translation>
    </message>
    <message>
        <location filename="../../rostray/commands/stacks.py" line="174"/>
        <source>Alibaba Cloud ROS at {endpoint} ({source})</source>
        <translation>阿里云 ROS {endpoint}（{source}）</translation>
    </message>
    <message>
        <location filename="../../rostray/commands/stacks.py" line="204"/>
        <source>Warning: {warning}</source>
        <translation>警告：{warning}</translation>
    </message>
    <message>
        <location filename="../../rostray/commands/stacks.py" line="220"/>
        <source>Launched {name} ({stack_id}) on the {where}</source>
        <translation>已创建资源栈 {name}（{stack_id}），运行于{where}</translation>
    </message>
    <message>
        <location filename="../../rostray/commands/stacks.py" line="229"/>
        <source>Note: the embedded sandbox stops with this command; use --wait or run `rostray sandbox` to keep the stack running.</source>
        <translation>注意：内置沙箱随本命令一起退出；请使用 --wait，或运行 `rostray sandbox` 让资源栈继续运行。</translation>
    </message>
    <message>
        <location filename="../../rostray/commands/stacks.py" line="263"/>
        <source>rostray: the running app refused: {error}</source>
        <translation>rostray: 正在运行的应用拒绝了请求：{error}</translation>
    </message>
    <message>
        <location filename="../../rostray/commands/stacks.py" line="273"/>
        <source>Launched by the running rostray: {stack_id}</source>
        <translation>已由正在运行的 rostray 创建：{stack_id}</translation>
    </message>
    <message>
        <location filename="../../rostray/commands/stacks.py" line="278"/>
        <source>Opened the launch form in the running rostray.</source>
        <translation>已在正在运行的 rostray 中打开创建表单。</translation>
    </message>
    <message>
        <location filename="../../rostray/commands/stacks.py" line="295"/>
        <source>UPDATE of {name} ({stack_id}) started</source>
        <translation>已开始更新资源栈 {name}（{stack_id}）</translation>
    </message>
    <message>
        <location filename="../../rostray/commands/stacks.py" line="296"/>
        <source>DELETE of {name} ({stack_id}) started</source>
        <translation>已开始删除资源栈 {name}（{stack_id}）</translation>
    </message>
    <message>
        <location filename="../../rostray/commands/stacks.py" line="342"/>
        <source>  Resources: {done}/{total} complete</source>
        <translation>  资源：已完成 {done}/{total}</translation>
    </message>
    <message>
        <location filename="../../rostray/commands/stacks.py" line="356"/>
        <source>No stacks launched with rostray yet.</source>
        <translation>还没有通过 rostray 创建的资源栈。</translation>
    </message>
    <message>
        <location filename="../../rostray/commands/stacks.py" line="369"/>
        <source>sandbox</source>
        <translation>沙箱</translation>
    </message>
    <message>
        <location filename="../../rostray/commands/stacks.py" line="369"/>
        <source>cloud</source>
        <translation>云</translation>
    </message>
    <message>
        <location filename="../../rostray/commands/stacks.py" line="373"/>
        <source>Stack</source>
        <translation>资源栈</translation>
    </message>
    <message>
        <location filename="../../rostray/commands/stacks.py" line="374"/>
        <source>Region</source>
        <translation>地域</translation>
    </message>
    <message>
        <location filename="../../rostray/commands/stacks.py" line="375"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../rostray/commands/stacks.py" line="376"/>
        <source>Started</source>
        <translation>开始时间</translation>
    </message>
    <message>
        <location filename="../../rostray/commands/stacks.py" line="377"/>
        <source>Duration</source>
        <translation>耗时</translation>
    </message>
    <message>
        <location filename="../../rostray/commands/stacks.py" line="378"/>
        <source>Where</source>
        <translation>位置</translation>
    </message>
    <message>
        <location filename="../../rostray/commands/stacks.py" line="469"/>
        <source>Interrupted.</source>
        <translation>已中断。</translation>
    </message>
    <message>
        <location filename="../../rostray/commands/stacks.py" line="484"/>
        <source>rostray: ROS error {error}</source>
        <translation>rostray: ROS 错误 {error}</translation>
    </message>
    <message>
        <location filename="../../rostray/commands/tunnel.py" line="27"/>
        <source>starting</source>
        <translation>启动中</translation>
    </message>
    <message>
        <location filename="../../rostray/commands/tunnel.py" line="28"/>
        <source>verified</source>
        <translation>已验证</translation>
    </message>
    <message>
        <location filename="../../rostray/commands/tunnel.py" line="29"/>
        <source>degraded</source>
        <translation>不稳定</translation>
    </message>
    <message>
        <location filename="../../rostray/commands/tunnel.py" line="30"/>
        <source>down</source>
        <translation>已断开</translation>
    </message>
    <message>
        <location filename="../../rostray/commands/tunnel.py" line="73"/>
        <source>rostray tunnel check: interrupted</source>
        <translation>rostray tunnel check: 已中断</translation>
    </message>
    <message>
        <location filename="../../rostray/commands/tunnel.py" line="89"/>
        <source>the config file</source>
        <translation>配置文件</translation>
    </message>
    <message>
        <location filename="../../rostray/commands/tunnel.py" line="90"/>
        <source>rostray tunnel check: no tunnel configured (tunnel.mode is &quot;none&quot; in {where}); set [tunnel] mode to &quot;static&quot;, &quot;ssh&quot;, &quot;cloudflared&quot;, …</source>
        <translation>rostray tunnel check: 未配置隧道（{where} 中 tunnel.mode 为 &quot;none&quot;）；请将 [tunnel] 的 mode 设为 &quot;static&quot;、&quot;ssh&quot;、&quot;cloudflared&quot; 等…</translation>
    </message>
    <message>
        <location filename="../../rostray/commands/tunnel.py" line="102"/>
        <source>tunnel {phase}: {reason}</source>
        <translation>隧道{phase}：{reason}</translation>
    </message>
    <message>
        <location filename="../../rostray/commands/tunnel.py" line="133"/>
        <source>public URL: {url}</source>
        <translation>公网 URL：{url}</translation>
    </message>
    <message>
        <location filename="../../rostray/commands/tunnel.py" line="134"/>
        <source>probe round trip: {ms} ms</source>
        <translation>探测往返：{ms} 毫秒</translation>
    </message>
    <message>
        <location filename="../../rostray/commands/tunnel.py" line="137"/>
        <source>warning: this URL is plain http: callback tokens travel unencrypted</source>
        <translation>警告：此 URL 为明文 http，回调令牌将以未加密方式传输</translation>
    </message>
    <message>
        <location filename="../../rostray/commands/tunnel.py" line="165"/>
        <source>rostray tunnel check: not verified: {reason}</source>
        <translation>rostray tunnel check: 未通过验证：{reason}</translation>
    </message>
    <message>
        <location filename="../../rostray/commands/tunnel.py" line="170"/>
        <source>the tunnel</source>
        <translation>隧道</translation>
    </message>
    <message>
        <location filename="../../rostray/commands/tunnel.py" line="171"/>
        <source>last output of {name}:</source>
        <translation>{name} 的最近输出：</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/app.py" line="410"/>
        <source>rostray is already running; its window was raised.</source>
        <translation>rostray 已在运行，已将其窗口置于前台。</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/app.py" line="415"/>
        <source>rostray: another instance holds the lock but does not answer.</source>
        <translation>rostray: 另一个实例持有锁，但没有响应。</translation>
    </message>
</context>
<context>
    <name>Controller</name>
    <message>
        <location filename="../../rostray/gui/app.py" line="124"/>
        <source>No system tray found: rostray runs in this window. On GNOME, install the AppIndicator extension to get a tray icon.</source>
        <translation>未找到系统托盘：rostray 将在此窗口中运行。在 GNOME 上，请安装 AppIndicator 扩展以显示托盘图标。</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/app.py" line="202"/>
        <source>Update stack — rostray</source>
        <translation>更新资源栈 — rostray</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/app.py" line="248"/>
        <source>Settings saved. Backend and tunnel changes apply after a restart.</source>
        <translation>设置已保存。后端和隧道的更改在重启后生效。</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/app.py" line="276"/>
        <source>Keep rostray running?</source>
        <translation>让 rostray 继续运行？</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/app.py" line="279"/>
        <source>There is no system tray. Keep rostray running in the background so it can tell you when stacks finish?</source>
        <translation>没有系统托盘。是否让 rostray 在后台继续运行，以便在资源栈操作完成时通知您？</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/app.py" line="283"/>
        <source>Keep running</source>
        <translation>继续运行</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/app.py" line="284"/>
        <source>Quit</source>
        <translation>退出</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/app.py" line="354"/>
        <source>{error} — using default settings until it is fixed</source>
        <translation>{error} — 在修正之前使用默认设置</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/app.py" line="364"/>
        <source>{error} — running on the embedded sandbox instead</source>
        <translation>{error} — 改为在内置沙箱上运行</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/app.py" line="383"/>
        <source>Another program holds rostray&apos;s socket; hand-overs are disabled.</source>
        <translation>另一个程序占用了 rostray 的套接字，命令行转交已禁用。</translation>
    </message>
</context>
<context>
    <name>Engine</name>
    <message>
        <location filename="../../rostray/core/engine.py" line="88"/>
        <source>some parameters are not valid</source>
        <translation>部分参数无效</translation>
    </message>
    <message>
        <location filename="../../rostray/core/engine.py" line="304"/>
        <source>ROS cannot reach this computer: no tunnel is configured ([tunnel] mode in the config file, or Settings → Tunnel)</source>
        <translation>ROS 无法访问这台计算机：未配置隧道（配置文件中的 [tunnel] mode，或“设置 → 隧道”）</translation>
    </message>
    <message>
        <location filename="../../rostray/core/engine.py" line="310"/>
        <source>the tunnel is not verified ({phase}: {reason})</source>
        <translation>隧道未通过验证（{phase}：{reason}）</translation>
    </message>
    <message>
        <location filename="../../rostray/core/engine.py" line="325"/>
        <source>The tunnel&apos;s public URL changed; {count} running stack(s) will be checked by polling instead.</source>
        <translation>隧道的公网 URL 已变更；{count} 个运行中的资源栈将改为通过轮询检查。</translation>
    </message>
    <message>
        <location filename="../../rostray/core/engine.py" line="345"/>
        <source>{reason}. Fix the tunnel, or launch anyway and learn the result by polling (--poll).</source>
        <translation>{reason}。请修复隧道，或仍然创建资源栈并通过轮询获取结果（--poll）。</translation>
    </message>
    <message>
        <location filename="../../rostray/core/engine.py" line="358"/>
        <source>ROS accepts at most 5 notification URLs (rostray uses one)</source>
        <translation>ROS 最多接受 5 个通知 URL（rostray 占用其中一个）</translation>
    </message>
    <message>
        <location filename="../../rostray/core/engine.py" line="428"/>
        <source>no stack {stack} in rostray&apos;s history</source>
        <translation>rostray 的历史记录中没有资源栈 {stack}</translation>
    </message>
    <message>
        <location filename="../../rostray/core/credentials.py" line="172"/>
        <source>{token} is set without {id}/{secret}; ignored</source>
        <translation>设置了 {token}，但未设置 {id}/{secret}；已忽略</translation>
    </message>
    <message>
        <location filename="../../rostray/core/credentials.py" line="187"/>
        <source>ALIYUN_ACCESS_KEY_ID and ALIYUN_ACCESS_KEY_SECRET are set; the Alibaba Cloud SDK may sign requests with them instead of the credentials rostray chose. Unset them (use {id} and {secret} instead)</source>
        <translation>已设置 ALIYUN_ACCESS_KEY_ID 和 ALIYUN_ACCESS_KEY_SECRET；阿里云 SDK 可能会用它们而不是 rostray 选定的凭据为请求签名。请取消设置它们（改用 {id} 和 {secret}）</translation>
    </message>
    <message>
        <location filename="../../rostray/core/credentials.py" line="336"/>
        <source>the system keyring is locked, so its AccessKey was not used{detail}</source>
        <translation>系统密钥环已锁定，因此未使用其中的 AccessKey{detail}</translation>
    </message>
    <message>
        <location filename="../../rostray/core/credentials.py" line="340"/>
        <source>no system keyring is available{detail}</source>
        <translation>没有可用的系统密钥环{detail}</translation>
    </message>
    <message>
        <location filename="../../rostray/core/credentials.py" line="342"/>
        <source>the system keyring could not be read ({kind}{detail})</source>
        <translation>无法读取系统密钥环（{kind}{detail}）</translation>
    </message>
    <message>
        <location filename="../../rostray/core/credentials.py" line="373"/>
        <source>the system keyring has AccessKey id {key_id} but no secret for it; store the AccessKey again</source>
        <translation>系统密钥环中有 AccessKey ID {key_id}，但没有对应的密钥；请重新保存 AccessKey</translation>
    </message>
    <message>
        <location filename="../../rostray/core/receiver.py" line="295"/>
        <source>receiver port {port} on {host} is already in use (another program, or another rostray); listening on a free port instead. A tunnel or reverse proxy set up for port {port} will not reach rostray, so results may arrive only by polling. Set [receiver] port = 0, or free the port.</source>
        <translation>{host} 上的接收端口 {port} 已被占用（其他程序或另一个 rostray）；改为监听一个空闲端口。为端口 {port} 配置的隧道或反向代理将无法连到 rostray，因此结果可能只能通过轮询获得。请设置 [receiver] port = 0，或释放该端口。</translation>
    </message>
    <message>
        <location filename="../../rostray/core/tracker.py" line="454"/>
        <source>History not written: {error}</source>
        <translation>历史记录未写入：{error}</translation>
    </message>
    <message>
        <location filename="../../rostray/core/tracker.py" line="455"/>
        <source>The result was shown anyway; rostray records it when the history can be written again.</source>
        <translation>结果仍已显示；待历史记录可以写入时，rostray 会将其记录下来。</translation>
    </message>
</context>
<context>
    <name>EngineFormBackend</name>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="143"/>
        <source>Embedded ROS sandbox — no cloud account used</source>
        <translation>内置 ROS 沙箱 — 不使用云账号</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="148"/>
        <source>Local ROS sandbox at {0} — no cloud account used</source>
        <translation>本地 ROS 沙箱（{0}）— 不使用云账号</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="152"/>
        <source>Alibaba Cloud ROS at {0} ({1}) — resources may be billed</source>
        <translation>阿里云 ROS：{0}（{1}）— 创建的资源可能产生费用</translation>
    </message>
</context>
<context>
    <name>HistoryModel</name>
    <message>
        <location filename="../../rostray/gui/models.py" line="129"/>
        <source>&lt; 1 s</source>
        <translation>&lt; 1 秒</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/models.py" line="134"/>
        <source>{h} h {m:02d} min</source>
        <translation>{h} 小时 {m:02d} 分</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/models.py" line="138"/>
        <source>{m} min {s:02d} s</source>
        <translation>{m} 分 {s:02d} 秒</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/models.py" line="141"/>
        <source>{s} s</source>
        <translation>{s} 秒</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/models.py" line="165"/>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/models.py" line="166"/>
        <source>Region</source>
        <translation>地域</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/models.py" line="167"/>
        <location filename="../../rostray/gui/models.py" line="436"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/models.py" line="168"/>
        <source>Started</source>
        <translation>开始时间</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/models.py" line="169"/>
        <source>Duration</source>
        <translation>耗时</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/models.py" line="237"/>
        <source>Only the create operation&apos;s duration is known.</source>
        <translation>仅创建操作的耗时可知。</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/models.py" line="393"/>
        <source>Key</source>
        <translation>键</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/models.py" line="398"/>
        <location filename="../../rostray/gui/models.py" line="415"/>
        <source>Value</source>
        <translation>值</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/models.py" line="401"/>
        <source>Description</source>
        <translation>描述</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/models.py" line="414"/>
        <source>Parameter</source>
        <translation>参数</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/models.py" line="425"/>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/models.py" line="430"/>
        <source>Resource</source>
        <translation>资源</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/models.py" line="441"/>
        <source>Reason</source>
        <translation>状态原因</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/models.py" line="451"/>
        <source>Received</source>
        <translation>接收时间</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/models.py" line="455"/>
        <source>Verdict</source>
        <translation>判定</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/models.py" line="457"/>
        <source>Claimed status</source>
        <translation>声明的状态</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/models.py" line="459"/>
        <source>Detail</source>
        <translation>详情</translation>
    </message>
</context>
<context>
    <name>JsonField</name>
    <message>
        <location filename="../../rostray/gui/param_fields.py" line="462"/>
        <source>Enter a JSON object or array.</source>
        <translation>请输入 JSON 对象或数组。</translation>
    </message>
</context>
<context>
    <name>LaunchForm</name>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="176"/>
        <source>Enter a stack name.</source>
        <translation>请输入资源栈名称。</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="178"/>
        <source>Start with a letter; then up to 254 letters, digits, &apos;-&apos; or &apos;_&apos;.</source>
        <translation>以字母开头，后接最多 254 个字母、数字、&apos;-&apos; 或 &apos;_&apos;。</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="202"/>
        <source>Write each tag as key=value: {0}</source>
        <translation>标签请按 key=value 格式填写：{0}</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="207"/>
        <source>A tag key is empty: {0}</source>
        <translation>标签键为空：{0}</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="211"/>
        <source>The tag key {0} is given twice.</source>
        <translation>标签键 {0} 重复。</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="215"/>
        <source>Tag keys and values are at most 128 characters.</source>
        <translation>标签键和值最长 128 个字符。</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="219"/>
        <source>Tag keys may not start with aliyun or acs: ({0}).</source>
        <translation>标签键不能以 aliyun 或 acs: 开头（{0}）。</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="223"/>
        <source>Tags may not contain http:// or https://.</source>
        <translation>标签不能包含 http:// 或 https://。</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="228"/>
        <source>At most {0} tags.</source>
        <translation>最多 {0} 个标签。</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="236"/>
        <source>At most {0} extra notification URLs.</source>
        <translation>最多 {0} 个额外的通知 URL。</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="242"/>
        <source>Not an http(s) URL: {0}</source>
        <translation>不是 http(s) URL：{0}</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="246"/>
        <source>A URL is longer than 1024 bytes.</source>
        <translation>有 URL 超过 1024 字节。</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="248"/>
        <source>A URL is listed twice.</source>
        <translation>有 URL 重复。</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="481"/>
        <source>Launch stack — rostray</source>
        <translation>创建资源栈 — rostray</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="527"/>
        <source>Choose a template to see its parameters.</source>
        <translation>选择模板后即可查看其参数。</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="550"/>
        <source>Stack</source>
        <translation>资源栈</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="561"/>
        <source>New name</source>
        <translation>新名称</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="562"/>
        <source>Suggest a fresh, unique stack name</source>
        <translation>生成一个新的、不重复的资源栈名称</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="567"/>
        <source>Stack name</source>
        <translation>资源栈名称</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="573"/>
        <source>Region</source>
        <translation>地域</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="588"/>
        <source>Validate</source>
        <translation>校验</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="589"/>
        <source>Ask ROS to check the template (ValidateTemplate)</source>
        <translation>请 ROS 校验模板（ValidateTemplate）</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="592"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="595"/>
        <location filename="../../rostray/gui/launch_form.py" line="985"/>
        <source>Launch</source>
        <translation>创建</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="647"/>
        <source>The file is larger than ROS&apos;s limit of {0} bytes.</source>
        <translation>文件超过 ROS 的大小上限（{0} 字节）。</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="654"/>
        <source>The file is not UTF-8 text, so it is not a template.</source>
        <translation>该文件不是 UTF-8 文本，因此不是模板。</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="659"/>
        <source>Cannot read the file: {0}</source>
        <translation>无法读取文件：{0}</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="692"/>
        <source>Could not load {0} — {1}</source>
        <translation>无法加载 {0} — {1}</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="694"/>
        <source>Still using {0}.</source>
        <translation>仍在使用 {0}。</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="826"/>
        <source>The template does not define: {0}</source>
        <translation>模板中未定义：{0}</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="836"/>
        <location filename="../../rostray/gui/launch_form.py" line="936"/>
        <source>Choose a template first.</source>
        <translation>请先选择模板。</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="844"/>
        <source>Choose a region.</source>
        <translation>请选择地域。</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="849"/>
        <source>Please correct the highlighted fields.</source>
        <translation>请修正标出的字段。</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="875"/>
        <source>Launching {0}…</source>
        <translation>正在创建 {0}…</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="879"/>
        <source>Internal error: no event loop is running.</source>
        <translation>内部错误：事件循环未运行。</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="912"/>
        <source>Launch refused: {0}</source>
        <translation>创建被拒绝：{0}</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="917"/>
        <source>Launch failed</source>
        <translation>创建失败</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="922"/>
        <source>Launch failed: {0}</source>
        <translation>创建失败：{0}</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="941"/>
        <source>Validating…</source>
        <translation>正在校验…</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="952"/>
        <source>The template is not valid</source>
        <translation>模板无效</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="958"/>
        <source>Validation failed: {0}</source>
        <translation>校验失败：{0}</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="974"/>
        <source>ROS accepts this template: {0} parameters, {1} resources, {2} outputs.</source>
        <translation>模板校验通过：{0} 个参数、{1} 个资源、{2} 个输出。</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="977"/>
        <source>Resource types: {0}</source>
        <translation>资源类型：{0}</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="985"/>
        <source>Launching…</source>
        <translation>正在创建…</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="1010"/>
        <source>Request ID: {0}</source>
        <translation>请求 ID：{0}</translation>
    </message>
</context>
<context>
    <name>LaunchOptionsBox</name>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="369"/>
        <source>Options</source>
        <translation>选项</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="375"/>
        <source> min</source>
        <translation> 分钟</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="379"/>
        <source>Timeout</source>
        <translation>超时时间</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="381"/>
        <source>Disable rollback (keep resources on failure)</source>
        <translation>禁用回滚（失败时保留资源）</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="382"/>
        <source>On failure</source>
        <translation>失败时</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="385"/>
        <source>If ROS cannot reach this computer, launch anyway and poll for the result</source>
        <translation>如果 ROS 无法访问本机，仍然创建并通过轮询获取结果</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="387"/>
        <source>No tunnel</source>
        <translation>无隧道时</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="390"/>
        <source>env=dev, team=platform</source>
        <translation>env=dev, team=platform</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="395"/>
        <source>Tags</source>
        <translation>标签</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="401"/>
        <source>https://example.com/hook (one per line, up to 4)</source>
        <translation>https://example.com/hook（每行一个，最多 4 个）</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="407"/>
        <source>rostray adds its own callback URL; these receive the same notifications.</source>
        <translation>rostray 会自动添加自己的回调 URL；这些 URL 也会收到相同的通知。</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="410"/>
        <source>Notify URLs</source>
        <translation>通知 URL</translation>
    </message>
</context>
<context>
    <name>LineField</name>
    <message>
        <location filename="../../rostray/gui/param_fields.py" line="315"/>
        <source>value1,value2,value3</source>
        <translation>value1,value2,value3</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/param_fields.py" line="319"/>
        <source>Required</source>
        <translation>必填</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/param_fields.py" line="325"/>
        <source>Comma-separated list.</source>
        <translation>以英文逗号分隔的列表。</translation>
    </message>
</context>
<context>
    <name>Notifier</name>
    <message>
        <location filename="../../rostray/gui/notifier.py" line="372"/>
        <source>rostray test notification</source>
        <translation>rostray 测试通知</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/notifier.py" line="373"/>
        <source>Notifications work. Finished stacks will look like this.</source>
        <translation>通知功能正常。资源栈操作完成时，通知就会像这样显示。</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/notifier.py" line="444"/>
        <source>Show rostray</source>
        <translation>显示 rostray</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/notifier.py" line="445"/>
        <source>Show details</source>
        <translation>查看详情</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/notifier.py" line="449"/>
        <source>Copy {key}</source>
        <translation>复制 {key}</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/notifier.py" line="449"/>
        <source>Copy value</source>
        <translation>复制值</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/notifier.py" line="454"/>
        <source>Open in ROS console</source>
        <translation>在 ROS 控制台中打开</translation>
    </message>
</context>
<context>
    <name>NumberField</name>
    <message>
        <location filename="../../rostray/gui/param_fields.py" line="492"/>
        <source>Not set</source>
        <translation>未设置</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/param_fields.py" line="506"/>
        <source>From {0} to {1}.</source>
        <translation>取值范围：{0} 到 {1}。</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/param_fields.py" line="511"/>
        <source>At least {0}.</source>
        <translation>最小值为 {0}。</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/param_fields.py" line="513"/>
        <source>At most {0}.</source>
        <translation>最大值为 {0}。</translation>
    </message>
</context>
<context>
    <name>ParameterField</name>
    <message>
        <location filename="../../rostray/gui/param_fields.py" line="228"/>
        <source>Console picker: {0}</source>
        <translation>控制台选择器：{0}</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/param_fields.py" line="289"/>
        <source>Required.</source>
        <translation>必填。</translation>
    </message>
</context>
<context>
    <name>ParametersPanel</name>
    <message>
        <location filename="../../rostray/gui/param_fields.py" line="663"/>
        <location filename="../../rostray/gui/param_fields.py" line="667"/>
        <location filename="../../rostray/gui/param_fields.py" line="679"/>
        <source>Parameters</source>
        <translation>参数</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/param_fields.py" line="665"/>
        <source>Other parameters</source>
        <translation>其他参数</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/param_fields.py" line="681"/>
        <source>This template has no parameters.</source>
        <translation>此模板没有参数。</translation>
    </message>
</context>
<context>
    <name>SecretField</name>
    <message>
        <location filename="../../rostray/gui/param_fields.py" line="352"/>
        <source>Confirm {0}</source>
        <translation>确认{0}</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/param_fields.py" line="356"/>
        <source>Type it again</source>
        <translation>再次输入</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/param_fields.py" line="376"/>
        <source>Required</source>
        <translation>必填</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/param_fields.py" line="405"/>
        <source>The two entries do not match.</source>
        <translation>两次输入不一致。</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="119"/>
        <source>{path} does not exist (run `aliyun configure`)</source>
        <translation>{path} 不存在（请运行 `aliyun configure`）</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="127"/>
        <source>cannot read {path}: {error}</source>
        <translation>无法读取 {path}：{error}</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="135"/>
        <source>{path} has no profile list</source>
        <translation>{path} 中没有配置（profile）列表</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="200"/>
        <source>rostray Settings</source>
        <translation>rostray 设置</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="209"/>
        <source>Account</source>
        <translation>账号</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="210"/>
        <source>Tunnel</source>
        <translation>隧道</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="211"/>
        <source>Notifications</source>
        <translation>通知</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="212"/>
        <source>General</source>
        <translation>常规</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="270"/>
        <source>Automatic: environment, CLI profile, keyring, else the sandbox</source>
        <translation>自动：依次尝试环境变量、CLI 配置、密钥环，否则使用沙箱</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="271"/>
        <source>Environment variables</source>
        <translation>环境变量</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="272"/>
        <source>aliyun CLI profile</source>
        <translation>aliyun CLI 配置</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="273"/>
        <source>AccessKey stored in the system keyring</source>
        <translation>系统密钥环中存储的 AccessKey</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="274"/>
        <source>Embedded ROS sandbox (no cloud account)</source>
        <translation>内置 ROS 沙箱（无需云账号）</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="280"/>
        <source>Credentials</source>
        <translation>凭证</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="286"/>
        <source>Profile</source>
        <translation>配置</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="288"/>
        <source>LTAI…</source>
        <translation>LTAI…</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="290"/>
        <source>AccessKey ID</source>
        <translation>AccessKey ID</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="293"/>
        <source>stored only in the system keyring</source>
        <translation>仅存储在系统密钥环中</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="296"/>
        <source>AccessKey secret</source>
        <translation>AccessKey Secret</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="300"/>
        <source>Region</source>
        <translation>地域</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="302"/>
        <source>ros.aliyuncs.com (default)</source>
        <translation>ros.aliyuncs.com（默认）</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="303"/>
        <source>Endpoint</source>
        <translation>接入点</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="304"/>
        <source>Test</source>
        <translation>测试</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="305"/>
        <source>Call DescribeRegions with these credentials</source>
        <translation>使用这些凭证调用 DescribeRegions</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="343"/>
        <source>None: sandbox only, or learn results by polling</source>
        <translation>无：仅用沙箱，或通过轮询获取结果</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="344"/>
        <source>Static public URL (your reverse proxy or port forward)</source>
        <translation>固定公网 URL（您的反向代理或端口转发）</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="345"/>
        <source>ngrok</source>
        <translation>ngrok</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="346"/>
        <source>Cloudflare quick tunnel (cloudflared)</source>
        <translation>Cloudflare 快速隧道（cloudflared）</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="347"/>
        <source>localtunnel</source>
        <translation>localtunnel</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="348"/>
        <source>SSH reverse tunnel (serveo, localhost.run or your host)</source>
        <translation>SSH 反向隧道（serveo、localhost.run 或您自己的主机）</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="349"/>
        <source>bore</source>
        <translation>bore</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="350"/>
        <source>Tailscale Funnel</source>
        <translation>Tailscale Funnel</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="351"/>
        <source>Pinggy</source>
        <translation>Pinggy</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="352"/>
        <source>Custom command</source>
        <translation>自定义命令</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="359"/>
        <source>Preset</source>
        <translation>预设</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="371"/>
        <source>0 or empty: let the server choose</source>
        <translation>0 或留空：由服务器选择</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="376"/>
        <source>Split like a shell command; {port} is the local receiver port.</source>
        <translation>按 shell 命令规则拆分；{port} 为本地接收端口。</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="381"/>
        <source>Finds the public URL in the command&apos;s output.</source>
        <translation>用于从命令输出中找出公网 URL。</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="389"/>
        <source>Public URL</source>
        <translation>公网 URL</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="390"/>
        <source>Command</source>
        <translation>命令</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="391"/>
        <source>URL pattern</source>
        <translation>URL 正则</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="392"/>
        <source>SSH host</source>
        <translation>SSH 主机</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="393"/>
        <source>SSH user</source>
        <translation>SSH 用户</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="394"/>
        <source>Remote port</source>
        <translation>远程端口</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="398"/>
        <source>Check tunnel</source>
        <translation>检查隧道</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="403"/>
        <source>Tunnel checks are not available here.</source>
        <translation>此处无法检查隧道。</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="409"/>
        <source>When an operation succeeds</source>
        <translation>操作成功时</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="410"/>
        <source>When an operation fails</source>
        <translation>操作失败时</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="416"/>
        <source>Notify</source>
        <translation>通知</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="421"/>
        <source>None</source>
        <translation>无</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="423"/>
        <source>Outputs shown</source>
        <translation>显示的输出数</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="427"/>
        <source>How many stack outputs a notification lists.</source>
        <translation>通知中最多列出的资源栈输出数量。</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="430"/>
        <source>Pause notifications for</source>
        <translation>暂停通知</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="433"/>
        <source> min</source>
        <translation> 分钟</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="444"/>
        <source>Snooze</source>
        <translation>免打扰</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="450"/>
        <source>Start rostray when I log in</source>
        <translation>登录时启动 rostray</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="453"/>
        <source>Startup</source>
        <translation>启动</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="456"/>
        <source>System language</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="460"/>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="462"/>
        <source>Takes effect after a restart.</source>
        <translation>重启后生效。</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="500"/>
        <source>The CLI&apos;s current profile ({name})</source>
        <translation>CLI 当前配置（{name}）</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="507"/>
        <source>{name} (not in the CLI config)</source>
        <translation>{name}（不在 CLI 配置中）</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="520"/>
        <source>Paused until {time}.</source>
        <translation>已暂停至 {time}。</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="522"/>
        <source>Results are still recorded while paused.</source>
        <translation>暂停期间仍会记录结果。</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="528"/>
        <source>Not available on this system yet.</source>
        <translation>当前系统暂不支持。</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="564"/>
        <source>{var} is set ({masked}).</source>
        <translation>已设置 {var}（{masked}）。</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="567"/>
        <source>Set {id} and {secret} before starting rostray.</source>
        <translation>请在启动 rostray 之前设置 {id} 和 {secret}。</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="571"/>
        <source>Stacks run in the embedded sandbox; nothing reaches Alibaba Cloud.</source>
        <translation>资源栈在内置沙箱中运行，不会访问阿里云。</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="573"/>
        <source>Uses the first source that has an AccessKey.</source>
        <translation>使用第一个提供 AccessKey 的来源。</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="578"/>
        <source>Reading the system keyring…</source>
        <translation>正在读取系统密钥环…</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="584"/>
        <source>The system keyring cannot be used: {error}</source>
        <translation>无法使用系统密钥环：{error}</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="593"/>
        <source>Stored: {masked}. Enter a new AccessKey to replace it.</source>
        <translation>已存储：{masked}。输入新的 AccessKey 即可替换。</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="598"/>
        <source>No AccessKey is stored yet.</source>
        <translation>尚未存储 AccessKey。</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="615"/>
        <source>Without a tunnel only the sandbox can call back; cloud stacks are polled.</source>
        <translation>没有隧道时只有沙箱能回调；云上的资源栈将通过轮询获取结果。</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="617"/>
        <source>ROS POSTs to this URL; it must forward to rostray&apos;s receiver.</source>
        <translation>ROS 会向此 URL 发送 POST 请求；该 URL 必须转发到 rostray 的接收端。</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="618"/>
        <source>Give a URL pattern, or a fixed public URL.</source>
        <translation>请填写 URL 正则或固定的公网 URL。</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="619"/>
        <source>A public URL is needed only for your own SSH host.</source>
        <translation>仅使用您自己的 SSH 主机时需要公网 URL。</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="622"/>
        <source>rostray starts the {name} client and reads its URL.</source>
        <translation>rostray 会启动 {name} 客户端并读取其 URL。</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="667"/>
        <source>cannot split the command: {error}</source>
        <translation>无法拆分命令：{error}</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="681"/>
        <source>expected a port number, got &quot;{text}&quot;</source>
        <translation>应为端口号，实际为“{text}”</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="687"/>
        <source>Enter the AccessKey ID that goes with the secret.</source>
        <translation>请输入与该 Secret 对应的 AccessKey ID。</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="689"/>
        <source>Enter the AccessKey secret.</source>
        <translation>请输入 AccessKey Secret。</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="691"/>
        <source>No AccessKey is stored yet: enter one.</source>
        <translation>尚未存储 AccessKey，请输入。</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="707"/>
        <source>Required for the selected mode.</source>
        <translation>所选模式下必填。</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="787"/>
        <source>Stored: {masked}.</source>
        <translation>已存储：{masked}。</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="813"/>
        <source>Testing…</source>
        <translation>正在测试…</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="832"/>
        <source>The embedded sandbox needs no credentials.</source>
        <translation>内置沙箱无需凭证。</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="838"/>
        <source>No credentials found: rostray would use the embedded sandbox.</source>
        <translation>未找到凭证：rostray 将使用内置沙箱。</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="850"/>
        <source>Connected with {creds}: {n} regions available.</source>
        <translation>已使用 {creds} 连接：共 {n} 个可用地域。</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="893"/>
        <source>Fix the highlighted fields first.</source>
        <translation>请先修正标出的字段。</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="898"/>
        <source>Checking…</source>
        <translation>正在检查…</translation>
    </message>
</context>
<context>
    <name>StackDetails</name>
    <message>
        <location filename="../../rostray/gui/stack_details.py" line="210"/>
        <source>Select a stack to see its outputs, parameters, events and callbacks.</source>
        <translation>选择一个资源栈，查看其输出、参数、事件和回调。</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stack_details.py" line="276"/>
        <source>Stack ID</source>
        <translation>资源栈 ID</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stack_details.py" line="277"/>
        <source>Region</source>
        <translation>地域</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stack_details.py" line="278"/>
        <source>Operation</source>
        <translation>操作</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stack_details.py" line="279"/>
        <source>Started</source>
        <translation>开始时间</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stack_details.py" line="280"/>
        <source>Finished</source>
        <translation>结束时间</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stack_details.py" line="294"/>
        <source>Open in console</source>
        <translation>在控制台中打开</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stack_details.py" line="296"/>
        <source>Replay notification</source>
        <translation>重新发送通知</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stack_details.py" line="298"/>
        <source>Update stack…</source>
        <translation>更新资源栈…</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stack_details.py" line="300"/>
        <source>Delete stack…</source>
        <translation>删除资源栈…</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stack_details.py" line="324"/>
        <location filename="../../rostray/gui/stack_details.py" line="823"/>
        <source>Copy value</source>
        <translation>复制值</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stack_details.py" line="326"/>
        <location filename="../../rostray/gui/stack_details.py" line="828"/>
        <source>Copy all as JSON</source>
        <translation>全部复制为 JSON</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stack_details.py" line="446"/>
        <source>This stack is not in rostray&apos;s history.</source>
        <translation>此资源栈不在 rostray 的历史记录中。</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stack_details.py" line="485"/>
        <source>running for {duration}</source>
        <translation>已运行 {duration}</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stack_details.py" line="489"/>
        <source>{time} (took {duration})</source>
        <translation>{time}（耗时 {duration}）</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stack_details.py" line="500"/>
        <source>Outputs ({n})</source>
        <translation>输出（{n}）</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stack_details.py" line="503"/>
        <source>No outputs.</source>
        <translation>无输出。</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stack_details.py" line="512"/>
        <source>Parameters ({n})</source>
        <translation>参数（{n}）</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stack_details.py" line="515"/>
        <source>Template: {name}</source>
        <translation>模板：{name}</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stack_details.py" line="517"/>
        <source>Timeout: {n} min</source>
        <translation>超时时间：{n} 分钟</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stack_details.py" line="520"/>
        <source>Rollback: disabled</source>
        <translation>回滚：已禁用</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stack_details.py" line="522"/>
        <source>Rollback: on failure</source>
        <translation>回滚：失败时回滚</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stack_details.py" line="527"/>
        <source>Tags: {tags}</source>
        <translation>标签：{tags}</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stack_details.py" line="532"/>
        <source>Callbacks ({n})</source>
        <translation>回调（{n}）</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stack_details.py" line="542"/>
        <source>No callback has reached rostray for this stack yet. ROS POSTs to the stack&apos;s notification URL when an operation finishes.</source>
        <translation>rostray 尚未收到此资源栈的回调。操作完成时，ROS 会向资源栈的通知 URL 发送 POST 请求。</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stack_details.py" line="556"/>
        <source>Received:  {time}  from {remote}</source>
        <translation>接收时间：{time}  来自 {remote}</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stack_details.py" line="560"/>
        <source>Verdict:   {verdict}</source>
        <translation>判定结果：{verdict}</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stack_details.py" line="563"/>
        <source>Detail:    {detail}</source>
        <translation>详细信息：{detail}</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stack_details.py" line="564"/>
        <source>Headers:</source>
        <translation>请求头：</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stack_details.py" line="568"/>
        <source>Body ({size} bytes, JSON pretty-printed):</source>
        <translation>请求体（{size} 字节，JSON 已格式化）：</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stack_details.py" line="570"/>
        <source>Body ({size} bytes, as received):</source>
        <translation>请求体（{size} 字节，原样显示）：</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stack_details.py" line="582"/>
        <source>The stack was deleted; ROS keeps no events for it.</source>
        <translation>资源栈已删除，ROS 不再保留其事件。</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stack_details.py" line="588"/>
        <source>This stack ran on the embedded sandbox, which is not running now.</source>
        <translation>此资源栈运行在内置沙箱中，而沙箱当前未运行。</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stack_details.py" line="590"/>
        <source>This stack ran on Alibaba Cloud; rostray now uses the sandbox.</source>
        <translation>此资源栈运行在阿里云上，而 rostray 当前使用的是沙箱。</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stack_details.py" line="611"/>
        <source>Refreshing every {n} s while the stack is in progress.</source>
        <translation>资源栈操作进行中，每 {n} 秒刷新一次。</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stack_details.py" line="615"/>
        <source>Loaded at {time}.</source>
        <translation>加载于 {time}。</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stack_details.py" line="622"/>
        <source>Events are not available: {error}</source>
        <translation>无法获取事件：{error}</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stack_details.py" line="639"/>
        <source>%v of %m resources done</source>
        <translation>已完成 %v/%m 个资源</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stack_details.py" line="640"/>
        <source>, {n} failed</source>
        <translation>，{n} 个失败</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stack_details.py" line="648"/>
        <source>Events ({n})</source>
        <translation>事件（{n}）</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stack_details.py" line="719"/>
        <source>A stack whose creation was rolled back can only be deleted.</source>
        <translation>创建失败并已回滚的资源栈只能删除。</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stack_details.py" line="745"/>
        <source>Delete stack</source>
        <translation>删除资源栈</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stack_details.py" line="748"/>
        <source>Delete the stack “{name}”?</source>
        <translation>确定删除资源栈“{name}”吗？</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stack_details.py" line="750"/>
        <source>ROS deletes every resource the stack created. This cannot be undone.</source>
        <translation>ROS 将删除该资源栈创建的所有资源。此操作不可撤销。</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stack_details.py" line="752"/>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stack_details.py" line="779"/>
        <source>Could not delete the stack: {error}</source>
        <translation>无法删除资源栈：{error}</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stack_details.py" line="804"/>
        <source>Copied {key}.</source>
        <translation>已复制 {key}。</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stack_details.py" line="811"/>
        <source>Copied {n} outputs as JSON.</source>
        <translation>已将 {n} 个输出复制为 JSON。</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stack_details.py" line="826"/>
        <source>Copy key</source>
        <translation>复制键</translation>
    </message>
</context>
<context>
    <name>StacksWindow</name>
    <message>
        <location filename="../../rostray/gui/stacks_window.py" line="152"/>
        <source>Stacks — rostray</source>
        <translation>资源栈 — rostray</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stacks_window.py" line="202"/>
        <source>All</source>
        <translation>全部</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stacks_window.py" line="203"/>
        <source>In progress</source>
        <translation>进行中</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stacks_window.py" line="204"/>
        <source>Succeeded</source>
        <translation>成功</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stacks_window.py" line="205"/>
        <source>Failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stacks_window.py" line="224"/>
        <source>Search name, stack ID, region or status</source>
        <translation>搜索名称、资源栈 ID、地域或状态</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stacks_window.py" line="231"/>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stacks_window.py" line="232"/>
        <source>Reload the history (F5)</source>
        <translation>重新加载历史记录（F5）</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stacks_window.py" line="280"/>
        <source>Embedded ROS sandbox — no cloud account used</source>
        <translation>内置 ROS 沙箱 — 不使用云账号</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stacks_window.py" line="283"/>
        <source>Alibaba Cloud ROS · {endpoint} · credentials: {source}</source>
        <translation>阿里云 ROS · {endpoint} · 凭证：{source}</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stacks_window.py" line="290"/>
        <source>Not connected: the engine has not started</source>
        <translation>未连接：引擎尚未启动</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stacks_window.py" line="367"/>
        <source>1 stack</source>
        <translation>1 个资源栈</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stacks_window.py" line="367"/>
        <source>{n} stacks</source>
        <translation>{n} 个资源栈</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stacks_window.py" line="369"/>
        <source>{shown} of {total}</source>
        <translation>{shown} / {total}</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stacks_window.py" line="371"/>
        <source>{n} in progress</source>
        <translation>{n} 个进行中</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stacks_window.py" line="377"/>
        <source>No stacks match the filter.</source>
        <translation>没有符合筛选条件的资源栈。</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stacks_window.py" line="380"/>
        <source>No stacks yet. Launch one from the tray menu or with `rostray launch`.</source>
        <translation>暂无资源栈。可通过托盘菜单或 `rostray launch` 创建。</translation>
    </message>
</context>
<context>
    <name>TemplatePicker</name>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="276"/>
        <source>Template</source>
        <translation>模板</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="283"/>
        <source>Choose a sample or recent template…</source>
        <translation>选择示例模板或最近使用的模板…</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="287"/>
        <source>Open file…</source>
        <translation>打开文件…</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="295"/>
        <source>Tip: drop a .json or .yaml template on this window.</source>
        <translation>提示：可将 .json 或 .yaml 模板拖放到此窗口。</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="305"/>
        <source>Recent</source>
        <translation>最近使用</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="305"/>
        <source>Samples</source>
        <translation>示例</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="342"/>
        <source>Open a ROS template</source>
        <translation>打开 ROS 模板</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="346"/>
        <source>ROS templates (*.json *.yaml *.yml *.template)</source>
        <translation>ROS 模板 (*.json *.yaml *.yml *.template)</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="347"/>
        <source>All files (*)</source>
        <translation>所有文件 (*)</translation>
    </message>
</context>
<context>
    <name>TrayController</name>
    <message>
        <location filename="../../rostray/gui/tray.py" line="146"/>
        <source>Pause notifications</source>
        <translation>暂停通知</translation>
    </message>
    <message numerus="yes">
        <location filename="../../rostray/gui/tray.py" line="276"/>
        <source>%n stack(s) in progress</source>
        <translation>
            <numerusform>%n 个资源栈进行中</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../rostray/gui/tray.py" line="279"/>
        <source>{name}: {status}, {elapsed}</source>
        <translation>{name}：{status}，{elapsed}</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/tray.py" line="286"/>
        <source>+{n} more</source>
        <translation>另有 {n} 个</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/tray.py" line="290"/>
        <source>Last: {result}</source>
        <translation>最近：{result}</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/tray.py" line="292"/>
        <source>No stacks in progress</source>
        <translation>没有进行中的资源栈</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/tray.py" line="295"/>
        <source>Notifications paused until {time}</source>
        <translation>通知已暂停至 {time}</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/tray.py" line="301"/>
        <source>{s} s</source>
        <translation>{s} 秒</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/tray.py" line="304"/>
        <source>{m} min</source>
        <translation>{m} 分钟</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/tray.py" line="305"/>
        <source>{h} h {m} min</source>
        <translation>{h} 小时 {m} 分钟</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/tray.py" line="310"/>
        <source>Tunnel: not in use</source>
        <translation>隧道：未使用</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/tray.py" line="313"/>
        <source>off</source>
        <translation>已关闭</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/tray.py" line="314"/>
        <source>starting</source>
        <translation>启动中</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/tray.py" line="315"/>
        <source>verified</source>
        <translation>已验证</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/tray.py" line="316"/>
        <source>degraded</source>
        <translation>不稳定</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/tray.py" line="317"/>
        <source>down</source>
        <translation>已断开</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/tray.py" line="319"/>
        <source>Tunnel: {phase}</source>
        <translation>隧道：{phase}</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/tray.py" line="322"/>
        <source>{ms} ms</source>
        <translation>{ms} ms</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/tray.py" line="337"/>
        <source>{name} {word}</source>
        <translation>{name} {word}</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/tray.py" line="354"/>
        <source>Show rostray</source>
        <translation>显示 rostray</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/tray.py" line="355"/>
        <source>Launch stack…</source>
        <translation>创建资源栈…</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/tray.py" line="360"/>
        <source>{name} — {status}, {elapsed}</source>
        <translation>{name} — {status}，{elapsed}</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/tray.py" line="370"/>
        <source>No stacks yet</source>
        <translation>暂无资源栈</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/tray.py" line="374"/>
        <source>Settings…</source>
        <translation>设置…</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/tray.py" line="377"/>
        <source>Send test notification</source>
        <translation>发送测试通知</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/tray.py" line="379"/>
        <source>Quit</source>
        <translation>退出</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/tray.py" line="385"/>
        <source>Paused until {time}</source>
        <translation>已暂停至 {time}</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/tray.py" line="389"/>
        <source>For 15 minutes</source>
        <translation>15 分钟</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/tray.py" line="390"/>
        <source>For 1 hour</source>
        <translation>1 小时</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/tray.py" line="391"/>
        <source>Until tomorrow morning</source>
        <translation>直到明天早上</translation>
    </message>
    <message>
        <location filename="../../rostray/gui/tray.py" line="396"/>
        <source>Resume notifications</source>
        <translation>恢复通知</translation>
    </message>
</context>
<context>
    <name>app</name>
    <message>
        <location filename="../../rostray/gui/app.py" line="68"/>
        <source>No tunnel is configured.</source>
        <translation>未配置隧道。</translation>
    </message>
</context>
</TS>

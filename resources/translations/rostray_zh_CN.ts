<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name></name>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="143"/>
        <source>EngineFormBackend</source>
        <comment>Embedded ROS sandbox — no cloud account used</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="147"/>
        <source>EngineFormBackend</source>
        <comment>Local ROS sandbox at {0} — no cloud account used</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="151"/>
        <source>EngineFormBackend</source>
        <comment>Alibaba Cloud ROS at {0} ({1}) — resources may be billed</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="187"/>
        <source>LaunchForm</source>
        <comment>Write each tag as key=value: {0}</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="190"/>
        <source>LaunchForm</source>
        <comment>A tag key is empty: {0}</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="192"/>
        <source>LaunchForm</source>
        <comment>The tag key {0} is given twice.</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="194"/>
        <source>LaunchForm</source>
        <comment>Tag keys and values are at most 128 characters.</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="196"/>
        <source>LaunchForm</source>
        <comment>Tag keys may not start with aliyun or acs: ({0}).</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="200"/>
        <source>LaunchForm</source>
        <comment>Tags may not contain http:// or https://.</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="203"/>
        <source>LaunchForm</source>
        <comment>At most {0} tags.</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="212"/>
        <source>LaunchForm</source>
        <comment>At most {0} extra notification URLs.</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="216"/>
        <source>LaunchForm</source>
        <comment>Not an http(s) URL: {0}</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="218"/>
        <source>LaunchForm</source>
        <comment>A URL is longer than 1024 bytes.</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="220"/>
        <source>LaunchForm</source>
        <comment>A URL is listed twice.</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/models.py" line="133"/>
        <source>&lt; 1 s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/models.py" line="138"/>
        <source>{h} h {m:02d} min</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/models.py" line="140"/>
        <source>{m} min {s:02d} s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/models.py" line="141"/>
        <source>{s} s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/models.py" line="392"/>
        <source>Key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/models.py" line="393"/>
        <location filename="../../rostray/gui/models.py" line="403"/>
        <source>Value</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/models.py" line="394"/>
        <source>Description</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/models.py" line="403"/>
        <source>Parameter</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/models.py" line="411"/>
        <source>Time</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/models.py" line="412"/>
        <source>Resource</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/models.py" line="413"/>
        <source>Status</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/models.py" line="414"/>
        <source>Reason</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/models.py" line="423"/>
        <source>Received</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/models.py" line="424"/>
        <source>Verdict</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/models.py" line="425"/>
        <source>Claimed status</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/models.py" line="426"/>
        <source>Detail</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="119"/>
        <source>{path} does not exist (run `aliyun configure`)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="121"/>
        <source>cannot read {path}: {error}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="123"/>
        <source>{path} has no profile list</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ChoiceField</name>
    <message>
        <location filename="../../rostray/gui/param_fields.py" line="589"/>
        <source>(none)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/param_fields.py" line="593"/>
        <source>Choose…</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Controller</name>
    <message>
        <location filename="../../rostray/gui/app.py" line="131"/>
        <source>No system tray found: rostray runs in this window. On GNOME, install the AppIndicator extension to get a tray icon.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/app.py" line="167"/>
        <source>Update stack — rostray</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/app.py" line="194"/>
        <source>Settings saved. Backend and tunnel changes apply after a restart.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/app.py" line="221"/>
        <source>Keep rostray running?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/app.py" line="224"/>
        <source>There is no system tray. Keep rostray running in the background so it can tell you when stacks finish?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/app.py" line="228"/>
        <source>Keep running</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/app.py" line="229"/>
        <source>Quit</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>HistoryModel</name>
    <message>
        <location filename="../../rostray/gui/models.py" line="165"/>
        <source>Name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/models.py" line="166"/>
        <source>Region</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/models.py" line="167"/>
        <source>Status</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/models.py" line="168"/>
        <source>Started</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/models.py" line="169"/>
        <source>Duration</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/models.py" line="237"/>
        <source>Only the create operation&apos;s duration is known.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>JsonField</name>
    <message>
        <location filename="../../rostray/gui/param_fields.py" line="462"/>
        <source>Enter a JSON object or array.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>LaunchForm</name>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="160"/>
        <source>Enter a stack name.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="162"/>
        <source>Start with a letter; then up to 254 letters, digits, &apos;-&apos; or &apos;_&apos;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="448"/>
        <source>Launch stack — rostray</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="494"/>
        <source>Choose a template to see its parameters.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="516"/>
        <source>Stack</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="527"/>
        <source>New name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="528"/>
        <source>Suggest a fresh, unique stack name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="533"/>
        <source>Stack name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="539"/>
        <source>Region</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="554"/>
        <source>Validate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="555"/>
        <source>Ask ROS to check the template (ValidateTemplate)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="558"/>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="561"/>
        <location filename="../../rostray/gui/launch_form.py" line="948"/>
        <source>Launch</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="613"/>
        <source>The file is larger than ROS&apos;s limit of {0} bytes.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="620"/>
        <source>The file is not UTF-8 text, so it is not a template.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="625"/>
        <source>Cannot read the file: {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="658"/>
        <source>Could not load {0} — {1}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="660"/>
        <source>Still using {0}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="792"/>
        <source>The template does not define: {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="802"/>
        <location filename="../../rostray/gui/launch_form.py" line="899"/>
        <source>Choose a template first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="810"/>
        <source>Choose a region.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="815"/>
        <source>Please correct the highlighted fields.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="840"/>
        <source>Launching {0}…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="844"/>
        <source>Internal error: no event loop is running.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="876"/>
        <source>Launch refused: {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="880"/>
        <source>Launch failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="885"/>
        <source>Launch failed: {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="904"/>
        <source>Validating…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="915"/>
        <source>The template is not valid</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="921"/>
        <source>Validation failed: {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="937"/>
        <source>ROS accepts this template: {0} parameters, {1} resources, {2} outputs.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="940"/>
        <source>Resource types: {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="948"/>
        <source>Launching…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="973"/>
        <source>Request ID: {0}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>LaunchOptionsBox</name>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="341"/>
        <source>Options</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="347"/>
        <source> min</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="351"/>
        <source>Timeout</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="353"/>
        <source>Disable rollback (keep resources on failure)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="354"/>
        <source>On failure</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="357"/>
        <source>env=dev, team=platform</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="362"/>
        <source>Tags</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="368"/>
        <source>https://example.com/hook (one per line, up to 4)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="374"/>
        <source>rostray adds its own callback URL; these receive the same notifications.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="377"/>
        <source>Notify URLs</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>LineField</name>
    <message>
        <location filename="../../rostray/gui/param_fields.py" line="315"/>
        <source>value1,value2,value3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/param_fields.py" line="319"/>
        <source>Required</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/param_fields.py" line="325"/>
        <source>Comma-separated list.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Notifier</name>
    <message>
        <location filename="../../rostray/gui/notifier.py" line="403"/>
        <source>rostray test notification</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/notifier.py" line="404"/>
        <source>Notifications work. Finished stacks will look like this.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/notifier.py" line="473"/>
        <source>Show rostray</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/notifier.py" line="474"/>
        <source>Show details</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/notifier.py" line="478"/>
        <source>Copy {key}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/notifier.py" line="478"/>
        <source>Copy value</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/notifier.py" line="483"/>
        <source>Open in ROS console</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>NumberField</name>
    <message>
        <location filename="../../rostray/gui/param_fields.py" line="492"/>
        <source>Not set</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/param_fields.py" line="506"/>
        <source>From {0} to {1}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/param_fields.py" line="511"/>
        <source>At least {0}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/param_fields.py" line="513"/>
        <source>At most {0}.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ParameterField</name>
    <message>
        <location filename="../../rostray/gui/param_fields.py" line="228"/>
        <source>Console picker: {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/param_fields.py" line="289"/>
        <source>Required.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ParametersPanel</name>
    <message>
        <location filename="../../rostray/gui/param_fields.py" line="663"/>
        <location filename="../../rostray/gui/param_fields.py" line="667"/>
        <location filename="../../rostray/gui/param_fields.py" line="679"/>
        <source>Parameters</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/param_fields.py" line="665"/>
        <source>Other parameters</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/param_fields.py" line="681"/>
        <source>This template has no parameters.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SecretField</name>
    <message>
        <location filename="../../rostray/gui/param_fields.py" line="352"/>
        <source>Confirm {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/param_fields.py" line="356"/>
        <source>Type it again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/param_fields.py" line="376"/>
        <source>Required</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/param_fields.py" line="405"/>
        <source>The two entries do not match.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="185"/>
        <source>rostray Settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="194"/>
        <source>Account</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="195"/>
        <source>Tunnel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="196"/>
        <source>Notifications</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="197"/>
        <source>General</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="255"/>
        <source>Automatic: environment, CLI profile, keyring, else the sandbox</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="256"/>
        <source>Environment variables</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="257"/>
        <source>aliyun CLI profile</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="258"/>
        <source>AccessKey stored in the system keyring</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="259"/>
        <source>Embedded ROS sandbox (no cloud account)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="265"/>
        <source>Credentials</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="271"/>
        <source>Profile</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="273"/>
        <source>LTAI…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="275"/>
        <source>AccessKey ID</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="278"/>
        <source>stored only in the system keyring</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="281"/>
        <source>AccessKey secret</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="285"/>
        <source>Region</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="287"/>
        <source>ros.aliyuncs.com (default)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="288"/>
        <source>Endpoint</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="289"/>
        <source>Test</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="290"/>
        <source>Call DescribeRegions with these credentials</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="328"/>
        <source>None: sandbox only, or learn results by polling</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="329"/>
        <source>Static public URL (your reverse proxy or port forward)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="330"/>
        <source>ngrok</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="331"/>
        <source>Cloudflare quick tunnel (cloudflared)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="332"/>
        <source>localtunnel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="333"/>
        <source>SSH reverse tunnel (serveo, localhost.run or your host)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="334"/>
        <source>bore</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="335"/>
        <source>Tailscale Funnel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="336"/>
        <source>Pinggy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="337"/>
        <source>Custom command</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="344"/>
        <source>Preset</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="356"/>
        <source>0 or empty: let the server choose</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="361"/>
        <source>Split like a shell command; {port} is the local receiver port.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="366"/>
        <source>Finds the public URL in the command&apos;s output.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="374"/>
        <source>Public URL</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="375"/>
        <source>Command</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="376"/>
        <source>URL pattern</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="377"/>
        <source>SSH host</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="378"/>
        <source>SSH user</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="379"/>
        <source>Remote port</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="383"/>
        <source>Check tunnel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="388"/>
        <source>Tunnel checks are not available here.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="394"/>
        <source>When an operation succeeds</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="395"/>
        <source>When an operation fails</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="401"/>
        <source>Notify</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="406"/>
        <source>None</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="408"/>
        <source>Outputs shown</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="412"/>
        <source>How many stack outputs a notification lists.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="415"/>
        <source>Pause notifications for</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="418"/>
        <source> min</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="429"/>
        <source>Snooze</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="435"/>
        <source>Start rostray when I log in</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="438"/>
        <source>Startup</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="441"/>
        <source>System language</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="445"/>
        <source>Language</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="447"/>
        <source>Takes effect after a restart.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="485"/>
        <source>The CLI&apos;s current profile ({name})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="492"/>
        <source>{name} (not in the CLI config)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="505"/>
        <source>Paused until {time}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="507"/>
        <source>Results are still recorded while paused.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="513"/>
        <source>Not available on this system yet.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="549"/>
        <source>{var} is set ({masked}).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="552"/>
        <source>Set {id} and {secret} before starting rostray.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="556"/>
        <source>Stacks run in the embedded sandbox; nothing reaches Alibaba Cloud.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="558"/>
        <source>Uses the first source that has an AccessKey.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="563"/>
        <source>Reading the system keyring…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="569"/>
        <source>The system keyring cannot be used: {error}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="578"/>
        <source>Stored: {masked}. Enter a new AccessKey to replace it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="583"/>
        <source>No AccessKey is stored yet.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="600"/>
        <source>Without a tunnel only the sandbox can call back; cloud stacks are polled.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="602"/>
        <source>ROS POSTs to this URL; it must forward to rostray&apos;s receiver.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="603"/>
        <source>Give a URL pattern, or a fixed public URL.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="604"/>
        <source>A public URL is needed only for your own SSH host.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="607"/>
        <source>rostray starts the {name} client and reads its URL.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="652"/>
        <source>cannot split the command: {error}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="666"/>
        <source>expected a port number, got &quot;{text}&quot;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="672"/>
        <source>Enter the AccessKey ID that goes with the secret.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="674"/>
        <source>Enter the AccessKey secret.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="676"/>
        <source>No AccessKey is stored yet: enter one.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="692"/>
        <source>Required for the selected mode.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="772"/>
        <source>Stored: {masked}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="798"/>
        <source>Testing…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="817"/>
        <source>The embedded sandbox needs no credentials.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="823"/>
        <source>No credentials found: rostray would use the embedded sandbox.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="835"/>
        <source>Connected with {creds}: {n} regions available.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="878"/>
        <source>Fix the highlighted fields first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/settings_dialog.py" line="883"/>
        <source>Checking…</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>StackDetails</name>
    <message>
        <location filename="../../rostray/gui/stack_details.py" line="200"/>
        <source>Select a stack to see its outputs, parameters, events and callbacks.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stack_details.py" line="266"/>
        <source>Stack ID</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stack_details.py" line="267"/>
        <source>Region</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stack_details.py" line="268"/>
        <source>Operation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stack_details.py" line="269"/>
        <source>Started</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stack_details.py" line="270"/>
        <source>Finished</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stack_details.py" line="284"/>
        <source>Open in console</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stack_details.py" line="286"/>
        <source>Replay notification</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stack_details.py" line="288"/>
        <source>Update stack…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stack_details.py" line="290"/>
        <source>Delete stack…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stack_details.py" line="314"/>
        <location filename="../../rostray/gui/stack_details.py" line="813"/>
        <source>Copy value</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stack_details.py" line="316"/>
        <location filename="../../rostray/gui/stack_details.py" line="818"/>
        <source>Copy all as JSON</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stack_details.py" line="436"/>
        <source>This stack is not in rostray&apos;s history.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stack_details.py" line="475"/>
        <source>running for {duration}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stack_details.py" line="479"/>
        <source>{time} (took {duration})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stack_details.py" line="490"/>
        <source>Outputs ({n})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stack_details.py" line="493"/>
        <source>No outputs.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stack_details.py" line="502"/>
        <source>Parameters ({n})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stack_details.py" line="505"/>
        <source>Template: {name}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stack_details.py" line="507"/>
        <source>Timeout: {n} min</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stack_details.py" line="510"/>
        <source>Rollback: disabled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stack_details.py" line="512"/>
        <source>Rollback: on failure</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stack_details.py" line="517"/>
        <source>Tags: {tags}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stack_details.py" line="522"/>
        <source>Callbacks ({n})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stack_details.py" line="532"/>
        <source>No callback has reached rostray for this stack yet. ROS POSTs to the stack&apos;s notification URL when an operation finishes.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stack_details.py" line="546"/>
        <source>Received:  {time}  from {remote}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stack_details.py" line="550"/>
        <source>Verdict:   {verdict}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stack_details.py" line="553"/>
        <source>Detail:    {detail}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stack_details.py" line="554"/>
        <source>Headers:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stack_details.py" line="558"/>
        <source>Body ({size} bytes, JSON pretty-printed):</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stack_details.py" line="560"/>
        <source>Body ({size} bytes, as received):</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stack_details.py" line="572"/>
        <source>The stack was deleted; ROS keeps no events for it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stack_details.py" line="578"/>
        <source>This stack ran on the embedded sandbox, which is not running now.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stack_details.py" line="580"/>
        <source>This stack ran on Alibaba Cloud; rostray now uses the sandbox.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stack_details.py" line="601"/>
        <source>Refreshing every {n} s while the stack is in progress.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stack_details.py" line="605"/>
        <source>Loaded at {time}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stack_details.py" line="612"/>
        <source>Events are not available: {error}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stack_details.py" line="629"/>
        <source>%v of %m resources done</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stack_details.py" line="630"/>
        <source>, {n} failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stack_details.py" line="638"/>
        <source>Events ({n})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stack_details.py" line="709"/>
        <source>A stack whose creation was rolled back can only be deleted.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stack_details.py" line="735"/>
        <source>Delete stack</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stack_details.py" line="738"/>
        <source>Delete the stack “{name}”?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stack_details.py" line="740"/>
        <source>ROS deletes every resource the stack created. This cannot be undone.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stack_details.py" line="742"/>
        <source>Delete</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stack_details.py" line="769"/>
        <source>Could not delete the stack: {error}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stack_details.py" line="794"/>
        <source>Copied {key}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stack_details.py" line="801"/>
        <source>Copied {n} outputs as JSON.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stack_details.py" line="816"/>
        <source>Copy key</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>StacksWindow</name>
    <message>
        <location filename="../../rostray/gui/stacks_window.py" line="142"/>
        <source>rostray — Stacks</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stacks_window.py" line="192"/>
        <source>All</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stacks_window.py" line="193"/>
        <source>In progress</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stacks_window.py" line="194"/>
        <source>Succeeded</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stacks_window.py" line="195"/>
        <source>Failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stacks_window.py" line="214"/>
        <source>Search name, stack ID, region or status</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stacks_window.py" line="221"/>
        <source>Refresh</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stacks_window.py" line="222"/>
        <source>Reload the history (F5)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stacks_window.py" line="270"/>
        <source>Embedded ROS sandbox — no cloud account used</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stacks_window.py" line="273"/>
        <source>Alibaba Cloud ROS · {endpoint} · credentials: {source}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stacks_window.py" line="280"/>
        <source>Not connected: the engine has not started</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stacks_window.py" line="356"/>
        <source>1 stack</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stacks_window.py" line="356"/>
        <source>{n} stacks</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stacks_window.py" line="358"/>
        <source>{shown} of {total}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stacks_window.py" line="360"/>
        <source>{n} in progress</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stacks_window.py" line="366"/>
        <source>No stacks match the filter.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/stacks_window.py" line="369"/>
        <source>No stacks yet. Launch one from the tray menu or with `rostray launch`.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>TemplatePicker</name>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="248"/>
        <source>Template</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="255"/>
        <source>Choose a sample or recent template…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="259"/>
        <source>Open file…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="267"/>
        <source>Tip: drop a .json or .yaml template on this window.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="277"/>
        <source>Recent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="277"/>
        <source>Samples</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="314"/>
        <source>Open a ROS template</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="318"/>
        <source>ROS templates (*.json *.yaml *.yml *.template)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/launch_form.py" line="319"/>
        <source>All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>TrayController</name>
    <message>
        <location filename="../../rostray/gui/tray.py" line="148"/>
        <source>Pause notifications</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <location filename="../../rostray/gui/tray.py" line="278"/>
        <source>%n stack(s) in progress</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../rostray/gui/tray.py" line="281"/>
        <source>{name}: {status}, {elapsed}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/tray.py" line="288"/>
        <source>+{n} more</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/tray.py" line="292"/>
        <source>Last: {result}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/tray.py" line="294"/>
        <source>No stacks in progress</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/tray.py" line="297"/>
        <source>Notifications paused until {time}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/tray.py" line="303"/>
        <source>{s} s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/tray.py" line="306"/>
        <source>{m} min</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/tray.py" line="307"/>
        <source>{h} h {m} min</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/tray.py" line="312"/>
        <source>Tunnel: not in use</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/tray.py" line="315"/>
        <source>off</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/tray.py" line="316"/>
        <source>starting</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/tray.py" line="317"/>
        <source>verified</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/tray.py" line="318"/>
        <source>degraded</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/tray.py" line="319"/>
        <source>down</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/tray.py" line="321"/>
        <source>Tunnel: {phase}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/tray.py" line="324"/>
        <source>{ms} ms</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/tray.py" line="336"/>
        <source>created</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/tray.py" line="337"/>
        <source>updated</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/tray.py" line="338"/>
        <source>deleted</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/tray.py" line="339"/>
        <source>creation failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/tray.py" line="340"/>
        <source>update failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/tray.py" line="341"/>
        <source>deletion failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/tray.py" line="342"/>
        <source>creation failed, rolled back</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/tray.py" line="343"/>
        <source>creation failed, rollback failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/tray.py" line="344"/>
        <source>update failed, rolled back</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/tray.py" line="345"/>
        <source>update failed, rollback failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/tray.py" line="351"/>
        <source>{name} {word}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/tray.py" line="368"/>
        <source>Show rostray</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/tray.py" line="369"/>
        <source>Launch stack…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/tray.py" line="374"/>
        <source>{name} — {status}, {elapsed}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/tray.py" line="384"/>
        <source>No stacks yet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/tray.py" line="388"/>
        <source>Settings…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/tray.py" line="391"/>
        <source>Send test notification</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/tray.py" line="393"/>
        <source>Quit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/tray.py" line="399"/>
        <source>Paused until {time}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/tray.py" line="403"/>
        <source>For 15 minutes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/tray.py" line="404"/>
        <source>For 1 hour</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/tray.py" line="405"/>
        <source>Until tomorrow morning</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../rostray/gui/tray.py" line="410"/>
        <source>Resume notifications</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>app</name>
    <message>
        <location filename="../../rostray/gui/app.py" line="60"/>
        <source>No tunnel is configured.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>controller</name>
    <message>
        <location filename="../../rostray/gui/app.py" line="318"/>
        <source>Another program holds rostray&apos;s socket; hand-overs are disabled.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>

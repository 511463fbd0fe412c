<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>ActionsCard</name>
    <message>
        <source>Handling</source>
        <translation>办理</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Final status: no further change</source>
        <translation>已是最终状态，不能再变更</translation>
    </message>
    <message>
        <source>&amp;Reply to the enterprise (required for “Replied”)</source>
        <translation>答复企业的内容（改为“已答复”时必填）(&amp;R)</translation>
    </message>
    <message>
        <source>What the enterprise was told: the answer, the next step, who to contact (Ctrl+Enter saves)</source>
        <translation>已告知企业的答复：结论、下一步、联系人（Ctrl+Enter 保存）</translation>
    </message>
    <message>
        <source>Save reply</source>
        <translation>保存答复</translation>
    </message>
    <message>
        <source>Ready-made &amp;text</source>
        <translation>常用答复(&amp;T)</translation>
    </message>
    <message>
        <source>The text chosen fills the reply; edit it before saving</source>
        <translation>所选文字会填入答复，保存前可修改</translation>
    </message>
    <message>
        <source>Choose a text…</source>
        <translation>选择常用答复…</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Category</source>
        <translation>诉求类别</translation>
    </message>
    <message>
        <source>Re-route</source>
        <translation>改分类</translation>
    </message>
    <message>
        <source>Move the request to this category (its department follows)</source>
        <translation>将诉求改为此类别（承办部门随之调整）</translation>
    </message>
    <message>
        <source>Department</source>
        <translation>承办部门</translation>
    </message>
    <message>
        <source>Reassign</source>
        <translation>改派</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>备注</translation>
    </message>
    <message>
        <source>What was done or agreed (Ctrl+Enter adds it)</source>
        <translation>记录办理情况（Ctrl+Enter 添加）</translation>
    </message>
    <message>
        <source>Add note</source>
        <translation>添加备注</translation>
    </message>
    <message>
        <source>Rating</source>
        <translation>企业评价</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>请选择…</translation>
    </message>
    <message>
        <source>Comment (optional)</source>
        <translation>评价意见（选填）</translation>
    </message>
    <message>
        <source>Save rating</source>
        <translation>保存评价</translation>
    </message>
    <message>
        <source>{label} ({value})</source>
        <translation>{label}（{value}分）</translation>
    </message>
    <message>
        <source>→ {status}</source>
        <translation>→ {status}</translation>
    </message>
    <message>
        <source>Change the status to “{status}”</source>
        <translation>将状态改为“{status}”</translation>
    </message>
    <message>
        <source>Not saved: {reason}</source>
        <translation>未保存：{reason}</translation>
    </message>
    <message>
        <source>Cancel the request</source>
        <translation>撤销诉求</translation>
    </message>
    <message>
        <source>Cancel {tracking_no}? A cancelled request cannot be reopened.</source>
        <translation>确定撤销 {tracking_no} 吗？撤销后不能恢复。</translation>
    </message>
    <message>
        <source>Keep it</source>
        <translation>不撤销</translation>
    </message>
    <message>
        <source>Status changed to “{status}”</source>
        <translation>状态已改为“{status}”</translation>
    </message>
    <message>
        <source>Type the reply first: what the enterprise was told. “Replied” is saved together with it.</source>
        <translation>请先填写答复内容，即已告知企业的答复；“已答复”状态与答复一同保存。</translation>
    </message>
    <message>
        <source>Reply saved; status changed to “{status}”</source>
        <translation>答复已保存，状态改为“{status}”</translation>
    </message>
    <message>
        <source>Re-routed to “{category}”</source>
        <translation>已改为“{category}”</translation>
    </message>
    <message>
        <source>Reassigned to “{department}”</source>
        <translation>已改派至“{department}”</translation>
    </message>
    <message>
        <source>Type the note first.</source>
        <translation>请先填写备注内容。</translation>
    </message>
    <message>
        <source>Note added</source>
        <translation>备注已添加</translation>
    </message>
    <message>
        <source>Rating saved: {label}</source>
        <translation>评价已保存：{label}</translation>
    </message>
    <message>
        <source>Save the rating “{label} ({value})” for {tracking_no}?</source>
        <translation>为 {tracking_no} 保存评价“{label}（{value}分）”？</translation>
    </message>
    <message>
        <source>Dissatisfied rating</source>
        <translation>不满意评价</translation>
    </message>
    <message>
        <source>Save and reopen</source>
        <translation>保存并重新办理</translation>
    </message>
    <message>
        <source>Do not save</source>
        <translation>不保存</translation>
    </message>
    <message>
        <source>The request will be reopened for rectification ({days} working days; the due date is set when the holiday calendar of that year is known).</source>
        <translation>该诉求将重新办理整改（{days} 个工作日；该年度节假日安排公布后确定办理时限）。</translation>
    </message>
    <message>
        <source>The request will be reopened for rectification (back to “{status}”), due {due} ({days} working days).</source>
        <translation>该诉求将重新办理整改（恢复为“{status}”），办理时限 {due}（{days} 个工作日）。</translation>
    </message>
    <message>
        <source>The due date is provisional: the official holiday calendar of that year is not published yet.</source>
        <translation>该时限按暂定日历推算：该年的国务院节假日安排尚未公布，公布后将自动重算。</translation>
    </message>
    <message>
        <source>A dissatisfied rating reopens the request for rectification ({days} working days)…</source>
        <translation>不满意评价将使诉求重新办理整改（{days} 个工作日）…</translation>
    </message>
</context>
<context>
    <name>AttachmentsCard</name>
    <message>
        <source>Attachments</source>
        <translation>附件</translation>
    </message>
    <message>
        <source>No attachments. Drop photos, scans or PDFs onto this pane, or attach a file.</source>
        <translation>暂无附件。可将照片、扫描件或PDF拖到此处，或选择文件添加。</translation>
    </message>
    <message>
        <source>Attach a file…</source>
        <translation>添加附件…</translation>
    </message>
    <message>
        <source>Attach photos, scans or PDFs from a folder ({shortcut}); files can also be dropped onto this pane</source>
        <translation>从文件夹选择照片、扫描件或PDF添加（{shortcut}）；也可将文件拖到此处</translation>
    </message>
    <message>
        <source>Scanner folder…</source>
        <translation>扫描文件夹…</translation>
    </message>
    <message>
        <source>A folder the scanner saves into: a new scan there is offered for the request shown</source>
        <translation>扫描仪保存文件的文件夹：其中出现新扫描件时，会提示添加到当前诉求</translation>
    </message>
    <message>
        <source>Ignore</source>
        <translation>忽略</translation>
    </message>
    <message>
        <source>Enter or a double click opens the file</source>
        <translation>按回车键或双击用系统程序打开文件</translation>
    </message>
    <message>
        <source>file missing</source>
        <translation>文件缺失</translation>
    </message>
    <message>
        <source>waiting</source>
        <translation>待上传</translation>
    </message>
    <message>
        <source>sent</source>
        <translation>已上传</translation>
    </message>
    <message>
        <source>refused</source>
        <translation>被平台拒收</translation>
    </message>
    <message>
        <source>“{name}” was refused by the district hub: {reason}</source>
        <translation>“{name}”被区级平台拒收：{reason}</translation>
    </message>
    <message>
        <source>“{name}” is not in the data folder (restored without its files?).</source>
        <translation>数据文件夹中没有“{name}”（恢复时未带附件文件？）。</translation>
    </message>
    <message>
        <source>No program on this computer opens “{name}”.</source>
        <translation>本机没有能打开“{name}”的程序。</translation>
    </message>
    <message>
        <source>Not attached: {reason}</source>
        <translation>未添加：{reason}</translation>
    </message>
    <message>
        <source>Attached: {names}</source>
        <translation>已添加：{names}</translation>
    </message>
    <message>
        <source>Already attached: {names}</source>
        <translation>已有此附件：{names}</translation>
    </message>
    <message>
        <source>Attach files to {tracking_no}</source>
        <translation>为 {tracking_no} 添加附件</translation>
    </message>
    <message>
        <source>Photos, scans and PDFs (*.jpg *.jpeg *.png *.tif *.tiff *.pdf)</source>
        <translation>照片、扫描件和PDF (*.jpg *.jpeg *.png *.tif *.tiff *.pdf)</translation>
    </message>
    <message>
        <source>All files (*)</source>
        <translation>所有文件 (*)</translation>
    </message>
    <message>
        <source>Scanner folder</source>
        <translation>扫描文件夹</translation>
    </message>
    <message>
        <source>No scanner folder watched.</source>
        <translation>未设置扫描文件夹。</translation>
    </message>
    <message>
        <source>Scanner folder: {folder}</source>
        <translation>扫描文件夹：{folder}</translation>
    </message>
    <message>
        <source>Scanner folder {folder} is not there (a network drive not connected?).</source>
        <translation>扫描文件夹 {folder} 不存在（网络盘未连接？）。</translation>
    </message>
    <message>
        <source>New scan “{name}” in the scanner folder: open a request to attach it.</source>
        <translation>扫描文件夹中有新扫描件“{name}”：请先打开一件诉求再添加。</translation>
    </message>
    <message>
        <source>New scan “{name}” in the scanner folder. Attach it to {tracking_no}?</source>
        <translation>扫描文件夹中有新扫描件“{name}”。添加到 {tracking_no}？</translation>
    </message>
    <message>
        <source>({count} more waiting)</source>
        <translation>（另有 {count} 个待处理）</translation>
    </message>
    <message>
        <source>Attach ({shortcut})</source>
        <translation>添加（{shortcut}）</translation>
    </message>
</context>
<context>
    <name>BackupActions</name>
    <message>
        <source>Backing up…</source>
        <translation>正在备份…</translation>
    </message>
    <message>
        <source>Backed up to {path}</source>
        <translation>已备份到 {path}</translation>
    </message>
    <message>
        <source>Backup</source>
        <translation>备份</translation>
    </message>
    <message>
        <source>The backup could not be written: {error}</source>
        <translation>备份失败：{error}</translation>
    </message>
    <message>
        <source>Backing up the database…</source>
        <translation>正在备份数据库…</translation>
    </message>
    <message>
        <source>Restore from a backup</source>
        <translation>从备份恢复</translation>
    </message>
    <message>
        <source>Database backups (*.db);;All files (*)</source>
        <translation>数据库备份 (*.db);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Replace this workstation&apos;s data with the backup {name}?</source>
        <translation>用备份 {name} 替换本机的数据吗？</translation>
    </message>
    <message>
        <source>Station: {station}
Requests: {count}, the newest {newest}
Hub: {hub}

Everything saved since that backup is replaced; the data as it is now is kept as a safety copy in the backups folder. The window reopens after the restore.</source>
        <translation>服务站：{station}
诉求：{count} 件，最新一件 {newest}
区级平台：{hub}

该备份之后保存的内容都会被替换；当前的数据会作为安全副本保存在备份文件夹中。恢复后窗口会重新打开。</translation>
    </message>
    <message>
        <source>Restore</source>
        <translation>恢复</translation>
    </message>
    <message>
        <source>This file cannot be restored: {error}</source>
        <translation>无法用此文件恢复：{error}</translation>
    </message>
    <message>
        <source>Checking the backup…</source>
        <translation>正在检查备份…</translation>
    </message>
</context>
<context>
    <name>CompaniesForPolicyDialog</name>
    <message>
        <source>Companies that may qualify — {title}</source>
        <translation>可能符合的企业 — {title}</translation>
    </message>
    <message>
        <source>Reading the companies…</source>
        <translation>正在读取企业…</translation>
    </message>
    <message>
        <source>Company</source>
        <translation>企业</translation>
    </message>
    <message>
        <source>Outcome</source>
        <translation>匹配结果</translation>
    </message>
    <message>
        <source>Facts to ask</source>
        <translation>需向企业了解</translation>
    </message>
    <message>
        <source>Company file</source>
        <translation>企业档案</translation>
    </message>
    <message>
        <source>The companies could not be read: {error}</source>
        <translation>无法读取企业：{error}</translation>
    </message>
    <message>
        <source>{count} companies of this station may qualify. Enter opens a company&apos;s file.</source>
        <translation>本站 {count} 家企业可能符合。按 Enter 打开企业档案。</translation>
    </message>
    <message>
        <source>No company of this station qualifies, as far as their profiles tell.</source>
        <translation>根据现有企业画像，本站暂无符合条件的企业。</translation>
    </message>
</context>
<context>
    <name>CompanyFileDialog</name>
    <message>
        <source>Company file</source>
        <extracomment>A request of the file was opened (its uuid). The file was read and shown (or its error shown): the time from the dialog&apos;s creation. Milliseconds from the creation of the dialog to the file shown (for the benchmark).</extracomment>
        <translation>企业档案</translation>
    </message>
    <message>
        <source>Reading the company file…</source>
        <translation>正在读取企业档案…</translation>
    </message>
    <message>
        <source>Open request</source>
        <translation>打开诉求</translation>
    </message>
    <message>
        <source>Open the selected request (Enter)</source>
        <translation>打开所选诉求（Enter）</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>When</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Channel</source>
        <translation>方式</translation>
    </message>
    <message>
        <source>Who</source>
        <translation>联系人员</translation>
    </message>
    <message>
        <source>Request</source>
        <translation>诉求</translation>
    </message>
    <message>
        <source>Summary</source>
        <translation>内容</translation>
    </message>
    <message>
        <source>Requests ({count})</source>
        <translation>诉求（{count}）</translation>
    </message>
    <message>
        <source>Contacts ({count})</source>
        <translation>联系记录（{count}）</translation>
    </message>
    <message>
        <source>Policies</source>
        <translation>政策</translation>
    </message>
    <message>
        <source>Profile</source>
        <translation>企业画像</translation>
    </message>
    <message>
        <source>Company file — {name}</source>
        <translation>企业档案 — {name}</translation>
    </message>
    <message>
        <source>Credit code: {code}</source>
        <translation>统一社会信用代码：{code}</translation>
    </message>
    <message>
        <source>No credit code</source>
        <translation>无统一社会信用代码</translation>
    </message>
    <message>
        <source>First seen {day}</source>
        <translation>首次来访 {day}</translation>
    </message>
    <message>
        <source>{total} requests, {open} open</source>
        <translation>{total} 件诉求，{open} 件未办结</translation>
    </message>
    <message>
        <source>The {shown} most pressing and most recent requests are listed; all are counted.</source>
        <translation>列出最紧迫和最近的 {shown} 件诉求；计数包括全部诉求。</translation>
    </message>
    <message>
        <source>Callbacks planned: {list}</source>
        <translation>已约定回访：{list}</translation>
    </message>
    <message>
        <source>Several companies match “{key}”: {names}. Open the file from the directory.</source>
        <translation>有多家企业与“{key}”相符：{names}。请从企业名录打开档案。</translation>
    </message>
    <message>
        <source>No company matches “{key}”.</source>
        <translation>没有与“{key}”相符的企业。</translation>
    </message>
    <message>
        <source>The company file could not be read: {error}</source>
        <translation>无法读取企业档案：{error}</translation>
    </message>
</context>
<context>
    <name>CompanyRequestsModel</name>
    <message>
        <source>Tracking no.</source>
        <translation>受理编号</translation>
    </message>
    <message>
        <source>Received</source>
        <translation>受理日期</translation>
    </message>
    <message>
        <source>Category</source>
        <translation>类别</translation>
    </message>
    <message>
        <source>Department</source>
        <translation>承办部门</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Rating</source>
        <translation>评价</translation>
    </message>
    <message>
        <source>Due</source>
        <translation>办理时限</translation>
    </message>
</context>
<context>
    <name>CompanyStrip</name>
    <message>
        <source>due {day}</source>
        <extracomment>Open requests listed (the title gives the full count). Open requests shown after a ``set_company`` (0: none, or no such company).</extracomment>
        <translation>{day}到期</translation>
    </message>
    <message>
        <source>Open requests of this company: {count}</source>
        <translation>该企业未办结的诉求：{count} 件</translation>
    </message>
</context>
<context>
    <name>ContactsCard</name>
    <message>
        <source>Contacts and callbacks</source>
        <translation>联系与回访</translation>
    </message>
    <message>
        <source>Record a contact…</source>
        <translation>记录联系…</translation>
    </message>
    <message>
        <source>Record a call, visit or message with the company ({shortcut})</source>
        <translation>记录与企业的电话、走访或留言（{shortcut}）</translation>
    </message>
    <message>
        <source>C&amp;hannel</source>
        <translation>方式(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;Summary</source>
        <translation>内容(&amp;S)</translation>
    </message>
    <message>
        <source>Who was reached and what was said (Ctrl+Enter saves, Esc cancels)</source>
        <translation>联系了谁、谈了什么（Ctrl+Enter 保存，Esc 取消）</translation>
    </message>
    <message>
        <source>Call &amp;back on</source>
        <translation>回访日期(&amp;B)</translation>
    </message>
    <message>
        <source>Save contact</source>
        <translation>保存联系记录</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Callback done</source>
        <translation>回访已完成</translation>
    </message>
    <message>
        <source>The company called in, or the call is no longer needed</source>
        <translation>企业已来电，或不再需要回访</translation>
    </message>
    <message>
        <source>⚠ Callback overdue since {day}</source>
        <translation>⚠ 回访已逾期（应于 {day}）</translation>
    </message>
    <message>
        <source>Callback due today ({day})</source>
        <translation>今天需回访（{day}）</translation>
    </message>
    <message>
        <source>Callback planned for {day}</source>
        <translation>约定回访 {day}</translation>
    </message>
    <message>
        <source>Type a summary first: what was said with the company.</source>
        <translation>请先填写联系内容：与企业谈了什么。</translation>
    </message>
    <message>
        <source>Contact recorded</source>
        <translation>已记录联系</translation>
    </message>
    <message>
        <source>Contact recorded; callback planned for {day}</source>
        <translation>已记录联系，约定回访 {day}</translation>
    </message>
    <message>
        <source>Callback marked done</source>
        <translation>回访已标记完成</translation>
    </message>
</context>
<context>
    <name>DeadlineNotifier</name>
    <message>
        <source>A request is due within the hour</source>
        <translation>有 1 件诉求将在一小时内到期</translation>
    </message>
    <message>
        <source>{count} requests are due within the hour</source>
        <translation>有 {count} 件诉求将在一小时内到期</translation>
    </message>
    <message>
        <source>A callback is due today</source>
        <translation>有 1 个回访今天到期</translation>
    </message>
    <message>
        <source>{count} callbacks are due today</source>
        <translation>有 {count} 个回访今天到期</translation>
    </message>
    <message>
        <source>; </source>
        <translation>；</translation>
    </message>
    <message>
        <source>{tracking_no} {company}: due at {time}</source>
        <translation>{tracking_no} {company}：{time} 到期</translation>
    </message>
    <message>
        <source>{tracking_no} {company}: call back today</source>
        <translation>{tracking_no} {company}：今天回访</translation>
    </message>
    <message>
        <source>… and {count} more on the Today page</source>
        <translation>……另有 {count} 项，见“今日工作”</translation>
    </message>
</context>
<context>
    <name>DetailView</name>
    <message>
        <source>Select a request in the list to see it here.
Enter or a double click opens it.</source>
        <translation>在左侧列表中选择一条诉求，即可在此查看详情。
按回车键或双击打开。</translation>
    </message>
    <message>
        <source>Request</source>
        <extracomment>Reprint the shown request&apos;s receipt (the queue beside the pane uses the same key). Point size of the tracking number (resources/qss/detail.qss); smaller (&quot;compact&quot;) when the pane is too narrow.</extracomment>
        <translation>诉求信息</translation>
    </message>
    <message>
        <source>Handling</source>
        <translation type="vanished">办理</translation>
    </message>
    <message>
        <source>Timeline</source>
        <translation>办理记录</translation>
    </message>
    <message>
        <source>Received</source>
        <translation>受理时间</translation>
    </message>
    <message>
        <source>Channel</source>
        <translation>受理渠道</translation>
    </message>
    <message>
        <source>Urgency</source>
        <translation>紧急程度</translation>
    </message>
    <message>
        <source>Category</source>
        <translation>诉求类别</translation>
    </message>
    <message>
        <source>Department</source>
        <translation>承办部门</translation>
    </message>
    <message>
        <source>Due</source>
        <translation>办理时限</translation>
    </message>
    <message>
        <source>Specialist</source>
        <translation>受理人员</translation>
    </message>
    <message>
        <source>Sync</source>
        <translation>同步</translation>
    </message>
    <message>
        <source>Linked to</source>
        <translation>关联诉求</translation>
    </message>
    <message>
        <source>Rating</source>
        <translation>企业评价</translation>
    </message>
    <message>
        <source>What the enterprise asks for</source>
        <translation>诉求内容</translation>
    </message>
    <message>
        <source>Correct intake…</source>
        <translation>更正受理信息…</translation>
    </message>
    <message>
        <source>Save correction</source>
        <translation>保存更正</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Status</source>
        <translation type="vanished">状态</translation>
    </message>
    <message>
        <source>Final status: no further change</source>
        <translation type="vanished">已是最终状态，不能再变更</translation>
    </message>
    <message>
        <source>&amp;Reply to the enterprise (required for “Replied”)</source>
        <translation type="vanished">答复企业的内容（改为“已答复”时必填）(&amp;R)</translation>
    </message>
    <message>
        <source>What the enterprise was told: the answer, the next step, who to contact (Ctrl+Enter saves)</source>
        <translation type="vanished">已告知企业的答复：结论、下一步、联系人（Ctrl+Enter 保存）</translation>
    </message>
    <message>
        <source>Save reply</source>
        <translation type="vanished">保存答复</translation>
    </message>
    <message>
        <source>Re-route</source>
        <translation type="vanished">改分类</translation>
    </message>
    <message>
        <source>Move the request to this category (its department follows)</source>
        <translation type="vanished">将诉求改为此类别（承办部门随之调整）</translation>
    </message>
    <message>
        <source>Reassign</source>
        <translation type="vanished">改派</translation>
    </message>
    <message>
        <source>Note</source>
        <translation type="vanished">备注</translation>
    </message>
    <message>
        <source>What was done or agreed (Ctrl+Enter adds it)</source>
        <translation type="vanished">记录办理情况（Ctrl+Enter 添加）</translation>
    </message>
    <message>
        <source>Add note</source>
        <translation type="vanished">添加备注</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation type="vanished">请选择…</translation>
    </message>
    <message>
        <source>Comment (optional)</source>
        <translation type="vanished">评价意见（选填）</translation>
    </message>
    <message>
        <source>The enterprise&apos;s comment (optional)</source>
        <translation type="vanished">企业评价意见（选填）</translation>
    </message>
    <message>
        <source>Save rating</source>
        <translation type="vanished">保存评价</translation>
    </message>
    <message>
        <source>{label} ({value})</source>
        <translation>{label}（{value}分）</translation>
    </message>
    <message>
        <source>This request cannot be shown: {error}</source>
        <translation>无法显示该诉求：{error}</translation>
    </message>
    <message>
        <source>⚠ Overdue {days} working days</source>
        <translation type="vanished">⚠ 已超期 {days} 个工作日</translation>
    </message>
    <message>
        <source>Escalation level {level} of 3</source>
        <translation>督办等级 {level}（共 3 级）</translation>
    </message>
    <message>
        <source>no credit code</source>
        <translation>无信用代码</translation>
    </message>
    <message>
        <source>not set (holiday calendar of that year unknown)</source>
        <translation>未设定（当年节假日安排尚未公布）</translation>
    </message>
    <message>
        <source>{due} (provisional: the year&apos;s official holiday calendar is not published yet)</source>
        <translation>{due}（暂定：当年官方节假日安排尚未公布）</translation>
    </message>
    <message>
        <source>Until the first sync with the district hub</source>
        <translation>首次同步到区级平台前可更正</translation>
    </message>
    <message>
        <source>⚠ Overdue</source>
        <translation>⚠ 已超期</translation>
    </message>
    <message>
        <source>⚠ Overdue less than 1 workday</source>
        <translation type="vanished">⚠ 已超期不足 1 个工作日</translation>
    </message>
    <message>
        <source>⚠ Overdue 1 workday</source>
        <translation>⚠ 已超期 1 个工作日</translation>
    </message>
    <message>
        <source>⚠ Overdue {days} workdays</source>
        <translation>⚠ 已超期 {days} 个工作日</translation>
    </message>
    <message>
        <source>→ {status}</source>
        <translation type="vanished">→ {status}</translation>
    </message>
    <message>
        <source>Change the status to “{status}”</source>
        <translation type="vanished">将状态改为“{status}”</translation>
    </message>
    <message>
        <source>Category {category}, department {department}</source>
        <translation type="vanished">类别：{category}，承办部门：{department}</translation>
    </message>
    <message>
        <source>Category {category}</source>
        <translation type="vanished">类别：{category}</translation>
    </message>
    <message>
        <source>Category {old} → {new}</source>
        <translation type="vanished">类别：{old} → {new}</translation>
    </message>
    <message>
        <source>department {old} → {new}</source>
        <translation type="vanished">承办部门：{old} → {new}</translation>
    </message>
    <message>
        <source>Department {old} → {new}</source>
        <translation type="vanished">承办部门：{old} → {new}</translation>
    </message>
    <message>
        <source>Reopened after a dissatisfied rating; rectification due {due}</source>
        <translation type="vanished">因评价不满意重新办理，整改期限 {due}</translation>
    </message>
    <message>
        <source>Due date recounted on the official calendar: {old} → {new}</source>
        <translation type="vanished">已按官方日历重算办理时限：{old} → {new}</translation>
    </message>
    <message>
        <source>Due date recounted: {old} → {new} (still provisional)</source>
        <translation type="vanished">已重算办理时限：{old} → {new}（仍为暂定）</translation>
    </message>
    <message>
        <source>description</source>
        <translation type="vanished">诉求内容</translation>
    </message>
    <message>
        <source>channel</source>
        <translation type="vanished">受理渠道</translation>
    </message>
    <message>
        <source>urgency</source>
        <translation type="vanished">紧急程度</translation>
    </message>
    <message>
        <source>Corrected: {fields}</source>
        <translation type="vanished">更正了：{fields}</translation>
    </message>
    <message>
        <source>, </source>
        <translation type="vanished">、</translation>
    </message>
    <message>
        <source>Status {old} → {new}</source>
        <translation type="vanished">状态：{old} → {new}</translation>
    </message>
    <message>
        <source>(closed by the enterprise&apos;s rating)</source>
        <translation type="vanished">（企业评价后自动办结）</translation>
    </message>
    <message>
        <source>Not saved: {reason}</source>
        <translation type="vanished">未保存：{reason}</translation>
    </message>
    <message>
        <source>Cancel the request</source>
        <translation type="vanished">撤销诉求</translation>
    </message>
    <message>
        <source>Cancel {tracking_no}? A cancelled request cannot be reopened.</source>
        <translation type="vanished">确定撤销 {tracking_no} 吗？撤销后不能恢复。</translation>
    </message>
    <message>
        <source>Keep it</source>
        <translation type="vanished">不撤销</translation>
    </message>
    <message>
        <source>Status changed to “{status}”</source>
        <translation type="vanished">状态已改为“{status}”</translation>
    </message>
    <message>
        <source>Type the reply first: what the enterprise was told. “Replied” is saved together with it.</source>
        <translation type="vanished">请先填写答复内容，即已告知企业的答复；“已答复”状态与答复一同保存。</translation>
    </message>
    <message>
        <source>Reply saved; status changed to “{status}”</source>
        <translation type="vanished">答复已保存，状态改为“{status}”</translation>
    </message>
    <message>
        <source>Re-routed to “{category}”</source>
        <translation type="vanished">已改为“{category}”</translation>
    </message>
    <message>
        <source>Reassigned to “{department}”</source>
        <translation type="vanished">已改派至“{department}”</translation>
    </message>
    <message>
        <source>Type the note first.</source>
        <translation type="vanished">请先填写备注内容。</translation>
    </message>
    <message>
        <source>Note added</source>
        <translation type="vanished">备注已添加</translation>
    </message>
    <message>
        <source>Rating saved: {label}</source>
        <translation type="vanished">评价已保存：{label}</translation>
    </message>
    <message>
        <source>Save the rating “{label} ({value})” for {tracking_no}?</source>
        <translation type="vanished">为 {tracking_no} 保存评价“{label}（{value}分）”？</translation>
    </message>
    <message>
        <source>Dissatisfied rating</source>
        <translation type="vanished">不满意评价</translation>
    </message>
    <message>
        <source>Save and reopen</source>
        <translation type="vanished">保存并重新办理</translation>
    </message>
    <message>
        <source>Do not save</source>
        <translation type="vanished">不保存</translation>
    </message>
    <message>
        <source>The request will be reopened for rectification ({days} working days; the due date is set when the holiday calendar of that year is known).</source>
        <translation type="vanished">该诉求将重新办理整改（{days} 个工作日；该年度节假日安排公布后确定办理时限）。</translation>
    </message>
    <message>
        <source>The request will be reopened for rectification (back to “{status}”), due {due} ({days} working days).</source>
        <translation type="vanished">该诉求将重新办理整改（恢复为“{status}”），办理时限 {due}（{days} 个工作日）。</translation>
    </message>
    <message>
        <source>The due date is provisional: the official holiday calendar of that year is not published yet.</source>
        <translation type="vanished">该时限按暂定日历推算：该年的国务院节假日安排尚未公布，公布后将自动重算。</translation>
    </message>
    <message>
        <source>A dissatisfied rating reopens the request for rectification ({days} working days)…</source>
        <translation type="vanished">不满意评价将使诉求重新办理整改（{days} 个工作日）…</translation>
    </message>
    <message>
        <source>A dissatisfied rating reopens the request for rectification (15 working days).</source>
        <translation type="vanished">评价为不满意时，诉求将重新办理整改（15 个工作日）。</translation>
    </message>
    <message>
        <source>Intake corrected</source>
        <translation>受理信息已更正</translation>
    </message>
</context>
<context>
    <name>DirectoryView</name>
    <message>
        <source>Enterprise directory</source>
        <translation>企业名录</translation>
    </message>
    <message>
        <source>Search name, credit code, contact, phone, park or building  (Ctrl+F)</source>
        <translation>搜索企业名称、信用代码、联系人、电话、园区或楼宇（Ctrl+F）</translation>
    </message>
    <message>
        <source>Company file…</source>
        <translation>企业档案…</translation>
    </message>
    <message>
        <source>Profile, contacts and every request of the selected enterprise (Ctrl+E)</source>
        <translation>所选企业的基本信息、联系记录和全部诉求（Ctrl+E）</translation>
    </message>
    <message>
        <source>Edit…</source>
        <translation>编辑…</translation>
    </message>
    <message>
        <source>Edit the selected enterprise (Enter)</source>
        <translation>编辑选中的企业（回车）</translation>
    </message>
    <message>
        <source>Import roster…</source>
        <translation>导入租户名册…</translation>
    </message>
    <message>
        <source>Import a tenant roster from Excel (Ctrl+I)</source>
        <translation>从 Excel 导入楼宇或园区的租户名册（Ctrl+I）</translation>
    </message>
    <message>
        <source>{count} enterprises</source>
        <translation>共 {count} 家企业</translation>
    </message>
</context>
<context>
    <name>DuplicateBanner</name>
    <message>
        <source>Link to it</source>
        <translation>关联到该诉求</translation>
    </message>
    <message>
        <source>Keep as new</source>
        <translation>仍作为新诉求</translation>
    </message>
    <message>
        <source>Save as a new request</source>
        <translation>仍作为新诉求</translation>
    </message>
    <message>
        <source>{tracking_no} · {status} · received {date}</source>
        <translation>{tracking_no} · {status} · {date}受理</translation>
    </message>
    <message>
        <source>and {count} more open requests like it</source>
        <translation>另有{count}件同类未办结诉求</translation>
    </message>
    <message>
        <source>This intake will be linked to the open request below.</source>
        <translation>本次受理将关联到下面这件未办结诉求。</translation>
    </message>
    <message>
        <source>This company already has an open request of this category from the last 30 days.</source>
        <translation>该企业30天内已有一件同类诉求尚未办结。</translation>
    </message>
    <message>
        <source>Do not link</source>
        <translation>取消关联</translation>
    </message>
</context>
<context>
    <name>EnterpriseDialog</name>
    <message>
        <source>Edit enterprise</source>
        <translation>编辑企业信息</translation>
    </message>
    <message>
        <source>Enterprise name</source>
        <translation>企业名称</translation>
    </message>
    <message>
        <source>Credit code</source>
        <translation>统一社会信用代码</translation>
    </message>
    <message>
        <source>Contact</source>
        <translation>联系人</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>联系电话</translation>
    </message>
    <message>
        <source>Park</source>
        <translation>园区</translation>
    </message>
    <message>
        <source>Building</source>
        <translation>楼宇</translation>
    </message>
    <message>
        <source>Changes are sent to the district hub with the next sync.</source>
        <translation>修改内容将在下次同步时报送区级平台。</translation>
    </message>
    <message>
        <source>Not saved: {reason}</source>
        <translation>未保存：{reason}</translation>
    </message>
</context>
<context>
    <name>EnterpriseDirectoryModel</name>
    <message>
        <source>Enterprise</source>
        <translation>企业名称</translation>
    </message>
    <message>
        <source>Credit code</source>
        <translation>统一社会信用代码</translation>
    </message>
    <message>
        <source>Contact</source>
        <translation>联系人</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>联系电话</translation>
    </message>
    <message>
        <source>Park</source>
        <translation>园区</translation>
    </message>
    <message>
        <source>Building</source>
        <translation>楼宇</translation>
    </message>
    <message>
        <source>Requests</source>
        <translation>诉求数</translation>
    </message>
    <message>
        <source>Sync</source>
        <translation>同步</translation>
    </message>
</context>
<context>
    <name>EnterpriseLookup</name>
    <message>
        <source>no credit code</source>
        <translation>无信用代码</translation>
    </message>
</context>
<context>
    <name>FirstRunWizard</name>
    <message>
        <source>Set up the workstation</source>
        <translation>工作台初始设置</translation>
    </message>
    <message>
        <source>Stop setting up? What you typed is not saved and the program closes.</source>
        <translation>要停止设置吗？已填写的内容不会保存，程序将关闭。</translation>
    </message>
    <message>
        <source>Stop and close</source>
        <translation>停止并关闭</translation>
    </message>
    <message>
        <source>Continue setting up</source>
        <translation>继续设置</translation>
    </message>
    <message>
        <source>Not saved</source>
        <translation>未保存</translation>
    </message>
    <message>
        <source>The station could not be set up:
{error}</source>
        <translation>服务站设置未能保存：
{error}</translation>
    </message>
</context>
<context>
    <name>HubPage</name>
    <message>
        <source>District hub (optional)</source>
        <translation>区级平台（可稍后设置）</translation>
    </message>
    <message>
        <source>Requests are kept on this computer and sent to the district hub whenever the network allows. Leave these empty to set them up later in Settings.</source>
        <translation>诉求保存在本机，网络可用时自动上报区级平台。现在可以留空，以后在“设置”中填写。</translation>
    </message>
    <message>
        <source>Given by the district for this station</source>
        <translation>由区里为本服务站发放</translation>
    </message>
    <message>
        <source>Hub address</source>
        <translation>平台地址</translation>
    </message>
    <message>
        <source>Station token</source>
        <translation>服务站令牌</translation>
    </message>
    <message>
        <source>Enter an address that starts with https:// (or http://), e.g. https://hub.example.cn</source>
        <translation type="vanished">请填写以 https://（或 http://）开头的地址，如 https://hub.example.cn</translation>
    </message>
    <message>
        <source>Enter the hub address too, or leave both empty.</source>
        <translation>请同时填写平台地址，或两项都留空。</translation>
    </message>
</context>
<context>
    <name>IntakeFields</name>
    <message>
        <source>Type a name or credit code to search the directory</source>
        <translation>输入企业名称或信用代码，自动查找企业名录</translation>
    </message>
    <message>
        <source>18 characters; empty for a sole trader</source>
        <translation>18位；个体工商户可不填</translation>
    </message>
    <message>
        <source>Mobile or Shanghai landline</source>
        <translation>手机号或上海固定电话</translation>
    </message>
    <message>
        <source>Enterprise details</source>
        <translation>企业信息</translation>
    </message>
    <message>
        <source>Enterprise name</source>
        <translation>企业名称</translation>
    </message>
    <message>
        <source>Credit code</source>
        <translation>统一社会信用代码</translation>
    </message>
    <message>
        <source>Contact</source>
        <translation>联系人</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>联系电话</translation>
    </message>
    <message>
        <source>Park</source>
        <translation>园区</translation>
    </message>
    <message>
        <source>Building</source>
        <translation>楼宇</translation>
    </message>
    <message>
        <source>Channel</source>
        <translation>受理渠道</translation>
    </message>
    <message>
        <source>Request details</source>
        <translation>诉求信息</translation>
    </message>
    <message>
        <source>What the company asks for, in its own words (at least 4 characters)</source>
        <translation>按企业的原话记录诉求（至少4个字）</translation>
    </message>
    <message>
        <source>Use the suggestion</source>
        <translation>采用建议类别</translation>
    </message>
    <message>
        <source>Description</source>
        <translation>诉求内容</translation>
    </message>
    <message>
        <source>Category</source>
        <translation>诉求类别</translation>
    </message>
    <message>
        <source>Urgency</source>
        <translation>紧急程度</translation>
    </message>
    <message>
        <source>Save intake</source>
        <translation>保存受理</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>清空</translation>
    </message>
    <message>
        <source>Differs from the suggestion ({category}): saved as a correction, so that later suggestions learn from it.</source>
        <translation>与建议（{category}）不同：保存时记为纠正，以后的建议会据此改进。</translation>
    </message>
    <message>
        <source>Suggestion accepted.</source>
        <translation>已采纳建议。</translation>
    </message>
    <message>
        <source>The suggested category is used unless you choose another one.</source>
        <translation>如不另选，保存时采用建议类别。</translation>
    </message>
    <message>
        <source>Please check</source>
        <translation>请核对</translation>
    </message>
    <message>
        <source>Save the request anyway?</source>
        <translation>仍然保存这件诉求吗？</translation>
    </message>
    <message>
        <source>Save anyway</source>
        <translation>仍然保存</translation>
    </message>
    <message>
        <source>Check again</source>
        <translation>返回核对</translation>
    </message>
</context>
<context>
    <name>IntakeForm</name>
    <message>
        <source>Intake</source>
        <translation>受理登记</translation>
    </message>
    <message>
        <source>save</source>
        <translation type="vanished">保存</translation>
    </message>
    <message>
        <source>new intake</source>
        <translation>新建受理</translation>
    </message>
    <message>
        <source>Type a name or credit code to search the directory</source>
        <translation type="vanished">输入企业名称或信用代码，自动查找企业名录</translation>
    </message>
    <message>
        <source>18 characters; empty for a sole trader</source>
        <translation type="vanished">18位；个体工商户可不填</translation>
    </message>
    <message>
        <source>Mobile or Shanghai landline</source>
        <translation type="vanished">手机号或上海固定电话</translation>
    </message>
    <message>
        <source>Request details</source>
        <translation type="vanished">诉求信息</translation>
    </message>
    <message>
        <source>Enterprise</source>
        <translation type="vanished">企业</translation>
    </message>
    <message>
        <source>Enterprise name</source>
        <translation type="vanished">企业名称</translation>
    </message>
    <message>
        <source>all shortcuts</source>
        <translation>全部快捷键</translation>
    </message>
    <message>
        <source>Enterprise details</source>
        <translation type="vanished">企业信息</translation>
    </message>
    <message>
        <source>Credit code</source>
        <translation type="vanished">统一社会信用代码</translation>
    </message>
    <message>
        <source>Contact</source>
        <translation type="vanished">联系人</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation type="vanished">联系电话</translation>
    </message>
    <message>
        <source>Park</source>
        <translation type="vanished">园区</translation>
    </message>
    <message>
        <source>Building</source>
        <translation type="vanished">楼宇</translation>
    </message>
    <message>
        <source>Channel</source>
        <translation type="vanished">受理渠道</translation>
    </message>
    <message>
        <source>Request</source>
        <translation type="vanished">诉求信息</translation>
    </message>
    <message>
        <source>What the company asks for, in its own words (at least 4 characters)</source>
        <translation type="vanished">按企业的原话记录诉求（至少4个字）</translation>
    </message>
    <message>
        <source>Use the suggestion</source>
        <translation>采用建议类别</translation>
    </message>
    <message>
        <source>Description</source>
        <translation type="vanished">诉求内容</translation>
    </message>
    <message>
        <source>Category</source>
        <translation type="vanished">诉求类别</translation>
    </message>
    <message>
        <source>Urgency</source>
        <translation type="vanished">紧急程度</translation>
    </message>
    <message>
        <source>Save intake</source>
        <translation type="vanished">保存受理</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation type="vanished">清空</translation>
    </message>
    <message>
        <source>Received today</source>
        <translation type="vanished">今日受理</translation>
    </message>
    <message>
        <source>Enter or double-click: open the request</source>
        <translation type="vanished">回车或双击：打开这件诉求</translation>
    </message>
    <message>
        <source>Nothing received yet today.</source>
        <translation type="vanished">今天还没有受理。</translation>
    </message>
    <message>
        <source>{count} in all</source>
        <translation type="vanished">共{count}件</translation>
    </message>
    <message>
        <source>Suggested category</source>
        <translation type="vanished">建议类别</translation>
    </message>
    <message>
        <source>accept</source>
        <translation type="vanished">采纳</translation>
    </message>
    <message>
        <source>Type the description: the suggested category and why will show here.</source>
        <translation type="vanished">填写诉求内容后，这里显示建议的类别和判断依据。</translation>
    </message>
    <message>
        <source>Why</source>
        <translation type="vanished">判断依据</translation>
    </message>
    <message>
        <source>Also possible</source>
        <translation type="vanished">其他可能</translation>
    </message>
    <message>
        <source>Request saved</source>
        <translation type="vanished">受理已保存</translation>
    </message>
    <message>
        <source>Tracking number</source>
        <translation type="vanished">受理编号</translation>
    </message>
    <message>
        <source>Department</source>
        <translation type="vanished">承办部门</translation>
    </message>
    <message>
        <source>Reply due</source>
        <translation type="vanished">承诺答复</translation>
    </message>
    <message>
        <source>Linked to</source>
        <translation type="vanished">关联诉求</translation>
    </message>
    <message>
        <source>Print receipt</source>
        <translation type="vanished">打印回执</translation>
    </message>
    <message>
        <source>80 mm slip</source>
        <translation type="vanished">80毫米小票</translation>
    </message>
    <message>
        <source>A5 page</source>
        <translation type="vanished">A5纸</translation>
    </message>
    <message>
        <source>Receipt paper</source>
        <translation type="vanished">回执纸张</translation>
    </message>
    <message>
        <source>New intake</source>
        <translation>新建受理</translation>
    </message>
    <message>
        <source>Link to it</source>
        <translation type="vanished">关联到该诉求</translation>
    </message>
    <message>
        <source>Keep as new</source>
        <translation type="vanished">仍作为新诉求</translation>
    </message>
    <message>
        <source>Save as a new request</source>
        <translation type="vanished">仍作为新诉求</translation>
    </message>
    <message>
        <source>no credit code</source>
        <translation type="vanished">无信用代码</translation>
    </message>
    <message>
        <source>Category suggestions are not available: {error}</source>
        <translation type="vanished">暂时无法给出类别建议：{error}</translation>
    </message>
    <message>
        <source>{percent}% sure</source>
        <translation type="vanished">把握 {percent}%</translation>
    </message>
    <message>
        <source>Handled by: {department}</source>
        <translation type="vanished">承办部门：{department}</translation>
    </message>
    <message>
        <source>: {evidence}</source>
        <translation type="vanished">：{evidence}</translation>
    </message>
    <message>
        <source>; </source>
        <translation type="vanished">；</translation>
    </message>
    <message>
        <source>Suggested: {category}</source>
        <translation>建议：{category}</translation>
    </message>
    <message>
        <source>No suggestion yet: type the description first.</source>
        <translation>还没有建议：请先填写诉求内容。</translation>
    </message>
    <message>
        <source>Differs from the suggestion ({category}): saved as a correction, so that later suggestions learn from it.</source>
        <translation type="vanished">与建议（{category}）不同：保存时记为纠正，以后的建议会据此改进。</translation>
    </message>
    <message>
        <source>Suggestion accepted.</source>
        <translation type="vanished">已采纳建议。</translation>
    </message>
    <message>
        <source>The suggested category is used unless you choose another one.</source>
        <translation type="vanished">如不另选，保存时采用建议类别。</translation>
    </message>
    <message>
        <source>{tracking_no} · {status} · received {date}</source>
        <translation type="vanished">{tracking_no} · {status} · {date}受理</translation>
    </message>
    <message>
        <source>and {count} more open requests like it</source>
        <translation type="vanished">另有{count}件同类未办结诉求</translation>
    </message>
    <message>
        <source>This intake will be linked to the open request below.</source>
        <translation type="vanished">本次受理将关联到下面这件未办结诉求。</translation>
    </message>
    <message>
        <source>This company already has an open request of this category from the last 30 days.</source>
        <translation type="vanished">该企业30天内已有一件同类诉求尚未办结。</translation>
    </message>
    <message>
        <source>Do not link</source>
        <translation type="vanished">取消关联</translation>
    </message>
    <message>
        <source>Linked to {tracking_no}.</source>
        <translation>已关联到 {tracking_no}。</translation>
    </message>
    <message>
        <source>Not linked.</source>
        <translation>已取消关联。</translation>
    </message>
    <message>
        <source>Already saved as {tracking_no}. Press F2 for a new intake.</source>
        <translation>已保存为 {tracking_no}。按F2新建受理。</translation>
    </message>
    <message>
        <source>Not saved: please correct the fields marked in red.</source>
        <translation>未保存：请更正标红的项目。</translation>
    </message>
    <message>
        <source>Saving…</source>
        <translation>正在保存…</translation>
    </message>
    <message>
        <source>Type the company&apos;s name or credit code first (Ctrl+E opens its file)</source>
        <translation>请先输入企业名称或统一社会信用代码（Ctrl+E 打开企业档案）</translation>
    </message>
    <message>
        <source>Please check</source>
        <translation type="vanished">请核对</translation>
    </message>
    <message>
        <source>Save the request anyway?</source>
        <translation type="vanished">仍然保存这件诉求吗？</translation>
    </message>
    <message>
        <source>Save anyway</source>
        <translation type="vanished">仍然保存</translation>
    </message>
    <message>
        <source>Check again</source>
        <translation type="vanished">返回核对</translation>
    </message>
    <message>
        <source>(your choice; correction recorded)</source>
        <translation type="vanished">（人工选择，已记录纠正）</translation>
    </message>
    <message>
        <source>to be set (the official calendar is not known yet)</source>
        <translation type="vanished">待定（官方节假日安排尚未公布）</translation>
    </message>
    <message>
        <source>Saved although: {warnings}</source>
        <translation type="vanished">已确认后保存：{warnings}</translation>
    </message>
    <message>
        <source>Request saved (with a warning)</source>
        <translation type="vanished">受理已保存（有提醒）</translation>
    </message>
    <message>
        <source>Saved {tracking_no}.</source>
        <translation>已保存 {tracking_no}。</translation>
    </message>
    <message>
        <source>Not saved</source>
        <translation>未保存</translation>
    </message>
    <message>
        <source>The request could not be saved. Nothing was lost from the form; try again.

{error}</source>
        <translation>诉求未能保存。表单中的内容都还在，请再试一次。

{error}</translation>
    </message>
    <message>
        <source>Receipt</source>
        <translation type="vanished">回执</translation>
    </message>
    <message>
        <source>The receipt cannot be printed: {error}</source>
        <translation type="vanished">回执无法打印：{error}</translation>
    </message>
    <message>
        <source>Preparing the receipt…</source>
        <translation type="vanished">正在准备回执…</translation>
    </message>
    <message>
        <source>Discard what is typed in the form?</source>
        <translation>放弃表单中已填写的内容吗？</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Xuhui Enterprise Service Desk</source>
        <translation>徐汇企业服务工作台</translation>
    </message>
    <message>
        <source>{app} — {station} ({code})</source>
        <translation>{app} — {station}（{code}）</translation>
    </message>
    <message>
        <source>Station {code}</source>
        <translation type="vanished">服务站 {code}</translation>
    </message>
    <message>
        <source>Specialist: {name}</source>
        <translation type="vanished">受理人员：{name}</translation>
    </message>
    <message>
        <source>Specialist not set</source>
        <translation type="vanished">未设置受理人员</translation>
    </message>
    <message>
        <source>Today</source>
        <translation>今日工作</translation>
    </message>
    <message>
        <source>Intake</source>
        <translation>受理登记</translation>
    </message>
    <message>
        <source>Requests</source>
        <translation>诉求台账</translation>
    </message>
    <message>
        <source>Directory</source>
        <translation>企业名录</translation>
    </message>
    <message>
        <source>Reports</source>
        <translation>统计报表</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>{page} ({shortcut})</source>
        <translation type="vanished">{page}（{shortcut}）</translation>
    </message>
    <message>
        <source>This page could not be opened: {error}</source>
        <translation type="vanished">此页面无法打开：{error}</translation>
    </message>
    <message>
        <source>This part of the program is not available yet.</source>
        <translation type="vanished">此功能尚未提供。</translation>
    </message>
    <message>
        <source>Saved {tracking_no}</source>
        <translation>已保存 {tracking_no}</translation>
    </message>
    <message>
        <source>Settings saved</source>
        <translation>设置已保存</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;New intake</source>
        <translation>新建受理(&amp;N)</translation>
    </message>
    <message>
        <source>&amp;Back up the database now</source>
        <translation>立即备份数据库(&amp;B)</translation>
    </message>
    <message>
        <source>Open the &amp;backups folder</source>
        <translation type="vanished">打开备份文件夹(&amp;K)</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>S&amp;ync</source>
        <translation>同步(&amp;Y)</translation>
    </message>
    <message>
        <source>&amp;Sync now</source>
        <translation>立即同步(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Refused records and sync state…</source>
        <translation>被退回的记录与同步状态(&amp;R)…</translation>
    </message>
    <message>
        <source>&amp;Go</source>
        <translation>转到(&amp;G)</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;Keyboard shortcuts</source>
        <translation>快捷键(&amp;K)</translation>
    </message>
    <message>
        <source>&amp;About</source>
        <translation>关于(&amp;A)</translation>
    </message>
    <message>
        <source>About &amp;Qt</source>
        <translation type="vanished">关于 &amp;Qt</translation>
    </message>
    <message>
        <source>The settings were changed but not saved.</source>
        <translation>设置已修改但尚未保存。</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>Discard the changes</source>
        <translation>放弃修改</translation>
    </message>
    <message>
        <source>Stay on Settings</source>
        <translation>留在设置页</translation>
    </message>
    <message>
        <source>The specialists could not be read: {error}</source>
        <translation>无法读取受理人员名单：{error}</translation>
    </message>
    <message>
        <source>{name} works at the desk now</source>
        <translation>现在由 {name} 值班受理</translation>
    </message>
    <message>
        <source>S&amp;witch the specialist…</source>
        <translation>切换受理人员(&amp;W)…</translation>
    </message>
    <message>
        <source>Open the backups &amp;folder</source>
        <translation>打开备份文件夹(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Restore from a backup…</source>
        <translation>从备份恢复(&amp;R)…</translation>
    </message>
    <message>
        <source>Open the line chosen on Today</source>
        <translation>打开“今日工作”中选中的一项</translation>
    </message>
    <message>
        <source>Only mine (Today)</source>
        <translation>只看我的（今日工作）</translation>
    </message>
    <message>
        <source>Switch the specialist</source>
        <translation>切换受理人员</translation>
    </message>
    <message>
        <source>New intake</source>
        <translation>新建受理</translation>
    </message>
    <message>
        <source>Save the intake</source>
        <translation>保存受理</translation>
    </message>
    <message>
        <source>Accept the suggested category</source>
        <translation>采纳建议类别</translation>
    </message>
    <message>
        <source>Link to the open request shown</source>
        <translation>关联到提示的未办结诉求</translation>
    </message>
    <message>
        <source>Print the receipt (intake) or reprint it (requests, detail pane)</source>
        <translation>打印回执（受理登记）或补打回执（诉求台账、诉求详情）</translation>
    </message>
    <message>
        <source>Company file (intake, requests, directory)</source>
        <translation>企业档案（受理登记、诉求台账、企业名录）</translation>
    </message>
    <message>
        <source>Print the receipt</source>
        <translation type="vanished">打印回执</translation>
    </message>
    <message>
        <source>Search the requests or the directory</source>
        <translation>搜索诉求或企业名录</translation>
    </message>
    <message>
        <source>Open the selected request or company</source>
        <translation>打开选中的诉求或企业</translation>
    </message>
    <message>
        <source>Company file of the selected request or company</source>
        <translation type="vanished">所选诉求或企业的企业档案</translation>
    </message>
    <message>
        <source>Only my requests (requests)</source>
        <translation>只看我的诉求（诉求台账）</translation>
    </message>
    <message>
        <source>Save the filters as a view (requests)</source>
        <translation>将筛选条件存为视图（诉求台账）</translation>
    </message>
    <message>
        <source>Export the list to Excel (requests)</source>
        <translation>将列表导出为Excel（诉求台账）</translation>
    </message>
    <message>
        <source>Print the list (requests)</source>
        <translation>打印列表（诉求台账）</translation>
    </message>
    <message>
        <source>Save the note being written (detail pane)</source>
        <translation>保存正在填写的备注（诉求详情）</translation>
    </message>
    <message>
        <source>Record a contact with the company (detail pane)</source>
        <translation>记录与企业的联系（诉求详情）</translation>
    </message>
    <message>
        <source>Attach a file (detail pane)</source>
        <translation>添加附件（诉求详情）</translation>
    </message>
    <message>
        <source>Attach the new scan offered (detail pane)</source>
        <translation>添加新扫描的文件（诉求详情）</translation>
    </message>
    <message>
        <source>Weekly report (Reports page)</source>
        <translation>生成周报（统计报表页）</translation>
    </message>
    <message>
        <source>Sync with the district hub now</source>
        <translation>立即与区级平台同步</translation>
    </message>
    <message>
        <source>This list</source>
        <translation>本快捷键列表</translation>
    </message>
    <message>
        <source>Backing up…</source>
        <translation type="vanished">正在备份…</translation>
    </message>
    <message>
        <source>Backed up to {path}</source>
        <translation type="vanished">已备份到 {path}</translation>
    </message>
    <message>
        <source>Backup</source>
        <translation type="vanished">备份</translation>
    </message>
    <message>
        <source>The backup could not be written: {error}</source>
        <translation type="vanished">备份失败：{error}</translation>
    </message>
    <message>
        <source>Backing up the database…</source>
        <translation type="vanished">正在备份数据库…</translation>
    </message>
    <message>
        <source>Restore from a backup</source>
        <translation type="vanished">从备份恢复</translation>
    </message>
    <message>
        <source>Database backups (*.db);;All files (*)</source>
        <translation type="vanished">数据库备份 (*.db);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Replace this workstation&apos;s data with the backup {name}?</source>
        <translation type="vanished">用备份 {name} 替换本机的数据吗？</translation>
    </message>
    <message>
        <source>Station: {station}
Requests: {count}, the newest {newest}
Hub: {hub}

Everything saved since that backup is replaced; the data as it is now is kept as a safety copy in the backups folder. The window reopens after the restore.</source>
        <translation type="vanished">服务站：{station}
诉求：{count} 件，最新一件 {newest}
区级平台：{hub}

该备份之后保存的内容都会被替换；当前的数据会作为安全副本保存在备份文件夹中。恢复后窗口会重新打开。</translation>
    </message>
    <message>
        <source>Restore</source>
        <translation type="vanished">恢复</translation>
    </message>
    <message>
        <source>This file cannot be restored: {error}</source>
        <translation type="vanished">无法用此文件恢复：{error}</translation>
    </message>
    <message>
        <source>Checking the backup…</source>
        <translation type="vanished">正在检查备份…</translation>
    </message>
    <message>
        <source>Keyboard shortcuts</source>
        <translation>快捷键</translation>
    </message>
    <message>
        <source>&lt;h3&gt;Xuhui Enterprise Service Desk {version}&lt;/h3&gt;&lt;p&gt;The workstation of Xuhui District&apos;s &quot;13+N&quot; enterprise service stations: intake, routing, receipts, follow-up and the weekly report, working offline and syncing with the district hub.&lt;/p&gt;&lt;p&gt;Data folder: {folder}&lt;/p&gt;</source>
        <translation>&lt;h3&gt;徐汇企业服务工作台 {version}&lt;/h3&gt;&lt;p&gt;徐汇区“13+N”企业服务站的工作台：诉求受理、分类分派、回执打印、跟踪办理和每周报表；断网也能工作，联网后与区级平台同步。&lt;/p&gt;&lt;p&gt;数据文件夹：{folder}&lt;/p&gt;</translation>
    </message>
    <message>
        <source>About</source>
        <translation>关于</translation>
    </message>
    <message>
        <source>Sync now</source>
        <translation type="vanished">立即同步</translation>
    </message>
    <message>
        <source>Sync with the district hub now ({shortcut})</source>
        <translation type="vanished">立即与区级平台同步（{shortcut}）</translation>
    </message>
    <message>
        <source>○ Not synced yet</source>
        <translation type="vanished">○ 尚未同步</translation>
    </message>
    <message>
        <source>Sync not set up</source>
        <translation type="vanished">未设置同步</translation>
    </message>
    <message>
        <source>● Online</source>
        <translation type="vanished">● 在线</translation>
    </message>
    <message>
        <source>● Offline</source>
        <translation type="vanished">● 离线</translation>
    </message>
    <message>
        <source>Waiting to sync: {count}</source>
        <translation type="vanished">待同步：{count}</translation>
    </message>
    <message>
        <source>Last sync: never</source>
        <translation type="vanished">上次同步：无</translation>
    </message>
    <message>
        <source>Last sync: {time}</source>
        <translation type="vanished">上次同步：{time}</translation>
    </message>
    <message>
        <source>Click for the sync panel</source>
        <translation type="vanished">点击打开同步面板</translation>
    </message>
    <message>
        <source>Sync is not set up: enter the hub address and the station token in Settings</source>
        <translation>尚未设置同步：请在“设置”中填写区级平台地址和本站令牌</translation>
    </message>
    <message>
        <source>A sync is already running</source>
        <translation>同步正在进行中</translation>
    </message>
    <message>
        <source>{requests} request(s) and {others} other record(s) (companies, timeline entries) wait to be sent</source>
        <translation type="vanished">{requests} 条诉求和 {others} 条其他记录（企业、办理记录）等待上传</translation>
    </message>
    <message>
        <source>⟳ Syncing…</source>
        <translation type="vanished">⟳ 正在同步…</translation>
    </message>
    <message>
        <source>⟳ Contacting the district hub…</source>
        <translation type="vanished">⟳ 正在连接区级平台…</translation>
    </message>
    <message>
        <source>⟳ Sending {done} of {total}</source>
        <translation type="vanished">⟳ 正在上传 {done}/{total}</translation>
    </message>
    <message>
        <source>⟳ Sending…</source>
        <translation type="vanished">⟳ 正在上传…</translation>
    </message>
    <message>
        <source>⟳ Receiving updates: {count}</source>
        <translation type="vanished">⟳ 正在接收更新：{count}</translation>
    </message>
    <message>
        <source>Sync finished: {pushed} sent, {pulled} updates received</source>
        <translation>同步完成：上传 {pushed} 条，收到更新 {pulled} 条</translation>
    </message>
    <message>
        <source>{count} refused</source>
        <translation>{count} 条被退回</translation>
    </message>
    <message>
        <source>, </source>
        <translation>，</translation>
    </message>
    <message>
        <source>Another sync of this station is running</source>
        <translation>本站另一个同步正在进行</translation>
    </message>
</context>
<context>
    <name>NavPanel</name>
    <message>
        <source>{page} ({shortcut})</source>
        <translation>{page}（{shortcut}）</translation>
    </message>
    <message>
        <source>Switch the specialist (Ctrl+Shift+U)</source>
        <translation>切换受理人员（Ctrl+Shift+U）</translation>
    </message>
    <message>
        <source>Station {code}</source>
        <translation>服务站 {code}</translation>
    </message>
    <message>
        <source>Specialist: {name}</source>
        <translation>受理人员：{name}</translation>
    </message>
    <message>
        <source>Specialist not set</source>
        <translation>未设置受理人员</translation>
    </message>
    <message>
        <source>{page}: {count} to do ({shortcut})</source>
        <translation>{page}：待办 {count} 项（{shortcut}）</translation>
    </message>
</context>
<context>
    <name>NewPoliciesCard</name>
    <message>
        <source>New policy: {title} — {count} companies of this station may qualify</source>
        <translation>新政策：{title} — 本站 {count} 家企业可能符合</translation>
    </message>
    <message>
        <source>New policies in the last {days} days ({count})</source>
        <translation>近 {days} 天新到政策（{count}）</translation>
    </message>
</context>
<context>
    <name>PaneCard</name>
    <message>
        <source>Not saved: {reason}</source>
        <translation>未保存：{reason}</translation>
    </message>
</context>
<context>
    <name>PolicyCard</name>
    <message>
        <source>Hand this policy over</source>
        <translation>向企业推送此项政策</translation>
    </message>
    <message>
        <source> (sample)</source>
        <translation>（示例）</translation>
    </message>
    <message>
        <source>fits the request</source>
        <translation>符合本次诉求</translation>
    </message>
    <message>
        <source>Ask the company: {facts}</source>
        <translation>需向企业了解：{facts}</translation>
    </message>
</context>
<context>
    <name>PolicyLabels</name>
    <message>
        <source>Apply online</source>
        <translation>网上办理</translation>
    </message>
    <message>
        <source>Apply at a window</source>
        <translation>窗口办理</translation>
    </message>
    <message>
        <source>No application needed</source>
        <translation>免申即享</translation>
    </message>
    <message>
        <source>Eligible</source>
        <translation>符合条件</translation>
    </message>
    <message>
        <source>May be eligible</source>
        <translation>可能符合</translation>
    </message>
    <message>
        <source>Not eligible</source>
        <translation>不符合条件</translation>
    </message>
    <message>
        <source>Printed (slip)</source>
        <translation>打印（小票）</translation>
    </message>
    <message>
        <source>Printed (A5)</source>
        <translation>打印（A5）</translation>
    </message>
    <message>
        <source>Told</source>
        <translation>已告知</translation>
    </message>
</context>
<context>
    <name>PolicyMatchesPanel</name>
    <message>
        <source>Policies for this company</source>
        <translation>适用政策</translation>
    </message>
    <message>
        <source>Print policy list</source>
        <translation>打印政策清单</translation>
    </message>
    <message>
        <source>Paper of the policy list</source>
        <translation>政策清单用纸</translation>
    </message>
    <message>
        <source>Record as told</source>
        <translation>记录已告知</translation>
    </message>
    <message>
        <source>Record that the chosen policies were explained, without printing</source>
        <translation>不打印，记录已向企业告知所选政策</translation>
    </message>
    <message>
        <source>Choose or type a company to see the policies it may qualify for.</source>
        <translation>选择或输入企业后，这里显示其可能适用的政策。</translation>
    </message>
    <message>
        <source>The policies could not be matched: {error}</source>
        <translation>无法匹配政策：{error}</translation>
    </message>
    <message>
        <source>Not in the directory yet: no policies to match.</source>
        <translation>企业尚未登记：暂无可匹配的政策。</translation>
    </message>
    <message>
        <source>Policies for this company: {eligible} eligible, {possible} possible</source>
        <translation>适用政策：符合 {eligible} 项，可能符合 {possible} 项</translation>
    </message>
    <message>
        <source>No current policies at this station yet (they arrive with the sync).</source>
        <translation>本站暂无现行政策（政策随同步下发）。</translation>
    </message>
    <message>
        <source>None of the current policies fits this company.</source>
        <translation>现行政策中没有适合该企业的。</translation>
    </message>
    <message>
        <source>Eligible ({count})</source>
        <translation>符合条件（{count}）</translation>
    </message>
    <message>
        <source>May be eligible ({count}): ask the company</source>
        <translation>可能符合（{count}）：需向企业核实</translation>
    </message>
    <message>
        <source>Not eligible ({count})</source>
        <translation>不符合条件（{count}）</translation>
    </message>
    <message>
        <source>Recorded: {count} policies handed over ({how}, {who} {when}).</source>
        <translation>已记录：推送 {count} 项政策（{how}，{who} {when}）。</translation>
    </message>
</context>
<context>
    <name>PolicyPrint</name>
    <message>
        <source>no longer current at this station (withdrawn or expired since it was shown): {ids}</source>
        <translation>已不是本站的现行政策（显示后已撤回或到期）：{ids}</translation>
    </message>
    <message>
        <source>The hand-over could not be recorded: {error}</source>
        <translation>推送记录未能保存：{error}</translation>
    </message>
    <message>
        <source>Policies</source>
        <translation>政策</translation>
    </message>
    <message>
        <source>The policy list cannot be printed: {error}</source>
        <translation>无法打印政策清单：{error}</translation>
    </message>
    <message>
        <source>Policy list</source>
        <translation>政策清单</translation>
    </message>
    <message>
        <source>Preparing the policy list…</source>
        <translation>正在准备政策清单…</translation>
    </message>
</context>
<context>
    <name>ProfileEditor</name>
    <message>
        <source>What the policies are matched on. Leave a fact empty (or Unknown) when the company has not told it: unknown is never taken as no.</source>
        <translation>政策按以下信息匹配。企业未告知的信息请留空（或选“未知”）：未知不会被当作“否”。</translation>
    </message>
    <message>
        <source>e.g. I6513</source>
        <translation>如 I6513</translation>
    </message>
    <message>
        <source>YYYY-MM-DD</source>
        <translation>年-月-日</translation>
    </message>
    <message>
        <source>Unknown</source>
        <translation>未知</translation>
    </message>
    <message>
        <source>Yes</source>
        <translation>是</translation>
    </message>
    <message>
        <source>No</source>
        <translation>否</translation>
    </message>
    <message>
        <source>number of people</source>
        <translation>人数</translation>
    </message>
    <message>
        <source>10,000 yuan</source>
        <translation>万元</translation>
    </message>
    <message>
        <source>Checked with the company (what is not ticked, it does not hold)</source>
        <translation>已向企业核实（未勾选的即不具备）</translation>
    </message>
    <message>
        <source>others, separated by 、</source>
        <translation>其他资质，用“、”分隔</translation>
    </message>
    <message>
        <source>Industry code (GB/T 4754)</source>
        <translation>行业代码（GB/T 4754）</translation>
    </message>
    <message>
        <source>Established on</source>
        <translation>成立日期</translation>
    </message>
    <message>
        <source>Registered in Xuhui</source>
        <translation>注册在徐汇</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>企业规模</translation>
    </message>
    <message>
        <source>Qualifications</source>
        <translation>资质</translation>
    </message>
    <message>
        <source>Employees</source>
        <translation>从业人数</translation>
    </message>
    <message>
        <source>Revenue (10,000 yuan)</source>
        <translation>营业收入（万元）</translation>
    </message>
    <message>
        <source>Save profile</source>
        <translation>保存画像</translation>
    </message>
    <message>
        <source>The profile could not be read: {error}</source>
        <translation>无法读取企业画像：{error}</translation>
    </message>
    <message>
        <source>Reading the profile…</source>
        <translation>正在读取企业画像…</translation>
    </message>
    <message>
        <source>Not saved: please correct the fields marked in red.</source>
        <translation>未保存：请更正标红的字段。</translation>
    </message>
    <message>
        <source>Profile saved.</source>
        <translation>企业画像已保存。</translation>
    </message>
    <message>
        <source>The profile could not be saved (nothing typed was lost): {error}</source>
        <translation>企业画像未能保存（已填写的内容未丢失）：{error}</translation>
    </message>
    <message>
        <source>Saving…</source>
        <translation>正在保存…</translation>
    </message>
</context>
<context>
    <name>PushHistory</name>
    <message>
        <source>Policy lists handed over</source>
        <translation>政策推送记录</translation>
    </message>
    <message>
        <source>{when} · {who} · {how} · {count} policies: {titles}</source>
        <translation>{when} · {who} · {how} · {count} 项：{titles}</translation>
    </message>
    <message>
        <source>No policy list has been handed over to this company yet.</source>
        <translation>尚未向该企业推送过政策。</translation>
    </message>
    <message>
        <source>Policy lists handed over ({count})</source>
        <translation>政策推送记录（{count}）</translation>
    </message>
</context>
<context>
    <name>QueueLists</name>
    <message>
        <source>Saved views…</source>
        <extracomment>The export key of each queue column (the phone, masked, follows the company). The last workbook written (for tests and the &quot;open&quot; buttons).</extracomment>
        <translation>已存视图…</translation>
    </message>
    <message>
        <source>Save view</source>
        <translation>保存视图</translation>
    </message>
    <message>
        <source>Name of the view (the current filters):</source>
        <translation>视图名称（保存当前筛选条件）：</translation>
    </message>
    <message>
        <source>View “{name}” saved</source>
        <translation>视图“{name}”已保存</translation>
    </message>
    <message>
        <source>Rename view</source>
        <translation>重命名视图</translation>
    </message>
    <message>
        <source>New name of “{name}”:</source>
        <translation>“{name}”的新名称：</translation>
    </message>
    <message>
        <source>Delete view</source>
        <translation>删除视图</translation>
    </message>
    <message>
        <source>Delete the view “{name}”? The requests are not touched.</source>
        <translation>删除视图“{name}”？诉求本身不受影响。</translation>
    </message>
    <message>
        <source>Saved views</source>
        <translation>已存视图</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>电话</translation>
    </message>
    <message>
        <source>requests-{day}.xlsx</source>
        <translation>诉求清单-{day}.xlsx</translation>
    </message>
    <message>
        <source>Export the list to Excel</source>
        <translation>导出清单到Excel</translation>
    </message>
    <message>
        <source>Excel workbook (*.xlsx)</source>
        <translation>Excel工作簿 (*.xlsx)</translation>
    </message>
    <message>
        <source>Requests</source>
        <translation>诉求清单</translation>
    </message>
    <message>
        <source>Exporting the list…</source>
        <translation>正在导出清单…</translation>
    </message>
    <message>
        <source>{count} requests written to {path}</source>
        <translation>已将 {count} 件诉求写入 {path}</translation>
    </message>
    <message>
        <source>Open the file</source>
        <translation>打开文件</translation>
    </message>
    <message>
        <source>Open the folder</source>
        <translation>打开所在文件夹</translation>
    </message>
    <message>
        <source>The list could not be exported: {error}</source>
        <translation>无法导出清单：{error}</translation>
    </message>
    <message>
        <source>Preparing the list…</source>
        <translation>正在准备清单…</translation>
    </message>
    <message>
        <source>Requests — {filters}</source>
        <translation>诉求清单 — {filters}</translation>
    </message>
    <message>
        <source>{shown} of {total} requests (the first {limit}; export the list for all of them)</source>
        <translation>共 {total} 件诉求，打印前 {shown} 件（最多 {limit} 件；全部请导出清单）</translation>
    </message>
    <message>
        <source>{total} requests</source>
        <translation>共 {total} 件诉求</translation>
    </message>
    <message>
        <source>Print the list</source>
        <translation>打印清单</translation>
    </message>
</context>
<context>
    <name>QueueView</name>
    <message>
        <source>my requests ({name})</source>
        <translation>我的诉求（{name}）</translation>
    </message>
    <message>
        <source>Only the requests {name} took in (Ctrl+M)</source>
        <translation>只显示{name}受理的诉求（Ctrl+M）</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>打开</translation>
    </message>
    <message>
        <source>Company file…</source>
        <translation>企业档案…</translation>
    </message>
    <message>
        <source>Reprint the receipt…</source>
        <translation>重新打印回执…</translation>
    </message>
    <message>
        <source>Export the list to Excel…</source>
        <translation>导出清单到Excel…</translation>
    </message>
    <message>
        <source>Print the list…</source>
        <translation>打印清单…</translation>
    </message>
    <message>
        <source>Requests</source>
        <translation>诉求台账</translation>
    </message>
    <message>
        <source>Search enterprise, credit code, tracking no. or text  (Ctrl+F)</source>
        <translation>搜索企业名称、信用代码、受理编号或诉求内容（Ctrl+F）</translation>
    </message>
    <message>
        <source>Every word must match. Two characters are enough (贷款, 落户). Enter goes to the results; Esc clears the search.</source>
        <translation>多个词须同时匹配，输入两个字即可（如 贷款、落户）。回车跳到结果，Esc 清空搜索。</translation>
    </message>
    <message>
        <source>Open requests</source>
        <translation>全部未办结诉求</translation>
    </message>
    <message>
        <source>All statuses</source>
        <translation>全部状态</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>All categories</source>
        <translation>全部类别</translation>
    </message>
    <message>
        <source>Category</source>
        <translation>诉求类别</translation>
    </message>
    <message>
        <source>Any date</source>
        <translation>不限日期</translation>
    </message>
    <message>
        <source>Today</source>
        <translation>今天</translation>
    </message>
    <message>
        <source>Last 7 days</source>
        <translation>最近 7 天</translation>
    </message>
    <message>
        <source>Last 30 days</source>
        <translation>最近 30 天</translation>
    </message>
    <message>
        <source>Between dates…</source>
        <translation>指定日期…</translation>
    </message>
    <message>
        <source>Received</source>
        <translation>受理时间</translation>
    </message>
    <message>
        <source>Received from (inclusive)</source>
        <translation>受理日期起（含）</translation>
    </message>
    <message>
        <source>Received until (inclusive)</source>
        <translation>受理日期止（含）</translation>
    </message>
    <message>
        <source>Received between</source>
        <translation>受理日期</translation>
    </message>
    <message>
        <source>Overdue only</source>
        <translation>只看超期</translation>
    </message>
    <message>
        <source>All departments</source>
        <translation>全部部门</translation>
    </message>
    <message>
        <source>Department</source>
        <translation>承办部门</translation>
    </message>
    <message>
        <source>Any urgency</source>
        <translation>任意紧急程度</translation>
    </message>
    <message>
        <source>Urgency</source>
        <translation>紧急程度</translation>
    </message>
    <message>
        <source>Any channel</source>
        <translation>任意来源</translation>
    </message>
    <message>
        <source>How the request came in</source>
        <translation>诉求来源方式</translation>
    </message>
    <message>
        <source>My requests</source>
        <translation>我的诉求</translation>
    </message>
    <message>
        <source>Saved views…</source>
        <translation>已存视图…</translation>
    </message>
    <message>
        <source>Pick a saved view: its filters are set at once</source>
        <translation>选择已存视图：立即套用其筛选条件</translation>
    </message>
    <message>
        <source>Views &amp;&amp; list</source>
        <translation>视图与清单</translation>
    </message>
    <message>
        <source>Views &amp; list</source>
        <translation type="vanished">视图与清单</translation>
    </message>
    <message>
        <source>Save, rename or delete views; export or print the list</source>
        <translation>保存、重命名或删除视图；导出或打印清单</translation>
    </message>
    <message>
        <source>Save the filters as a view…  (Ctrl+Shift+V)</source>
        <translation>将筛选条件存为视图…  (Ctrl+Shift+V)</translation>
    </message>
    <message>
        <source>Save the filters as a view…  (Ctrl+Shift+S)</source>
        <translation type="vanished">将筛选条件存为视图…  (Ctrl+Shift+S)</translation>
    </message>
    <message>
        <source>Rename the view…</source>
        <translation>重命名视图…</translation>
    </message>
    <message>
        <source>Delete the view…</source>
        <translation>删除视图…</translation>
    </message>
    <message>
        <source>Export the list to Excel…  (Ctrl+Shift+E)</source>
        <translation>导出清单到Excel…  (Ctrl+Shift+E)</translation>
    </message>
    <message>
        <source>Print the list…  (Ctrl+Shift+L)</source>
        <translation>打印清单…  (Ctrl+Shift+L)</translation>
    </message>
    <message>
        <source>Clear filters</source>
        <translation>清除筛选</translation>
    </message>
    <message>
        <source>Open requests, all categories, any date, no search</source>
        <translation>恢复为：全部未办结诉求、全部类别、不限日期、不搜索</translation>
    </message>
    <message>
        <source>Overdue, working days:</source>
        <translation>超期（工作日）：</translation>
    </message>
    <message>
        <source>Sync:</source>
        <translation>同步：</translation>
    </message>
    <message>
        <source>Row shades: how many working days an open request is past its due time (escalation levels 1–3). Dots: whether the district hub has the request.</source>
        <translation>行底色：未办结诉求超过办理时限的工作日数（督办等级 1–3 级）。圆点：区级平台是否已收到该诉求。</translation>
    </message>
    <message>
        <source>Columns</source>
        <translation>显示的列</translation>
    </message>
    <message>
        <source>Queue order (overdue first)</source>
        <translation>默认排序（超期优先）</translation>
    </message>
    <message>
        <source>Searching…</source>
        <translation>正在查询…</translation>
    </message>
    <message>
        <source>{total} requests, {overdue} overdue</source>
        <translation>共 {total} 条，其中超期 {overdue} 条</translation>
    </message>
    <message>
        <source>The queue could not be read: {error}</source>
        <translation>无法读取诉求列表：{error}</translation>
    </message>
    <message>
        <source>No request matches these filters.</source>
        <translation>没有符合条件的诉求。</translation>
    </message>
    <message>
        <source>No open requests. New intakes appear here.</source>
        <translation>目前没有未办结的诉求，新受理的诉求会显示在这里。</translation>
    </message>
</context>
<context>
    <name>RecentIntakesCard</name>
    <message>
        <source>Received today</source>
        <translation>今日受理</translation>
    </message>
    <message>
        <source>Enter or double-click: open the request</source>
        <translation>回车或双击：打开这件诉求</translation>
    </message>
    <message>
        <source>Nothing received yet today.</source>
        <translation>今天还没有受理。</translation>
    </message>
    <message>
        <source>{count} in all</source>
        <translation>共{count}件</translation>
    </message>
</context>
<context>
    <name>ReplyTextsDialog</name>
    <message>
        <source>Ready-made reply texts</source>
        <translation>答复模板</translation>
    </message>
    <message>
        <source>&amp;Category</source>
        <translation>类别(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;Add</source>
        <translation>添加(&amp;A)</translation>
    </message>
    <message>
        <source>&amp;Remove</source>
        <translation>删除(&amp;R)</translation>
    </message>
    <message>
        <source>Move &amp;up</source>
        <translation>上移(&amp;U)</translation>
    </message>
    <message>
        <source>Move do&amp;wn</source>
        <translation>下移(&amp;W)</translation>
    </message>
    <message>
        <source>&amp;Title</source>
        <translation>标题(&amp;T)</translation>
    </message>
    <message>
        <source>Te&amp;xt</source>
        <translation>内容(&amp;X)</translation>
    </message>
    <message>
        <source>&amp;Save</source>
        <translation>保存(&amp;S)</translation>
    </message>
    <message>
        <source>Use the shipped texts</source>
        <translation>恢复为程序自带的模板</translation>
    </message>
    <message>
        <source>The texts could not be read: {error}</source>
        <translation>无法读取答复模板：{error}</translation>
    </message>
    <message>
        <source>(no title)</source>
        <translation>（无标题）</translation>
    </message>
    <message>
        <source>The texts of the previous category were changed but not saved. Discard the changes?</source>
        <translation>上一个类别的答复模板已修改但未保存。放弃这些修改吗？</translation>
    </message>
    <message>
        <source>Saved.</source>
        <translation>已保存。</translation>
    </message>
    <message>
        <source>The shipped texts are used again.</source>
        <translation>已恢复为程序自带的模板。</translation>
    </message>
    <message>
        <source>Not saved: {error}</source>
        <translation>未保存：{error}</translation>
    </message>
</context>
<context>
    <name>ReportDialog</name>
    <message>
        <source>Weekly report</source>
        <translation>周报</translation>
    </message>
    <message>
        <source>&amp;Week:</source>
        <translation>周次(&amp;W)：</translation>
    </message>
    <message>
        <source>&amp;Masked: contact names and phone numbers hidden (recommended)</source>
        <translation>脱敏(&amp;M)：隐去联系人姓名和电话（推荐）</translation>
    </message>
    <message>
        <source>&amp;Unmasked: names and phone numbers in full</source>
        <translation>不脱敏(&amp;U)：完整显示姓名和电话</translation>
    </message>
    <message>
        <source>Why the full contact details are needed (kept in the audit log)</source>
        <translation>为何需要完整联系方式（记入审计日志）</translation>
    </message>
    <message>
        <source>Privacy:</source>
        <translation>隐私：</translation>
    </message>
    <message>
        <source>&amp;Language:</source>
        <translation>语言(&amp;L)：</translation>
    </message>
    <message>
        <source>&amp;Browse…</source>
        <translation>浏览(&amp;B)…</translation>
    </message>
    <message>
        <source>&amp;Save as:</source>
        <translation>保存为(&amp;S)：</translation>
    </message>
    <message>
        <source>&amp;Open the file</source>
        <translation>打开文件(&amp;O)</translation>
    </message>
    <message>
        <source>Open the &amp;folder</source>
        <translation>打开所在文件夹(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Create the report</source>
        <translation>生成周报(&amp;C)</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>{start} – {end}</source>
        <translation>{start} 至 {end}</translation>
    </message>
    <message>
        <source>{week} ({days}, this week so far)</source>
        <translation>{week}（{days}，本周至今）</translation>
    </message>
    <message>
        <source>{week} ({days}, last week)</source>
        <translation>{week}（{days}，上周）</translation>
    </message>
    <message>
        <source>{week} ({days})</source>
        <translation>{week}（{days}）</translation>
    </message>
    <message>
        <source>Save the weekly report</source>
        <translation>保存周报</translation>
    </message>
    <message>
        <source>Excel workbook (*.xlsx)</source>
        <translation>Excel 工作簿 (*.xlsx)</translation>
    </message>
    <message>
        <source>The folder {folder} does not exist.</source>
        <translation>文件夹 {folder} 不存在。</translation>
    </message>
    <message>
        <source>{path} is a folder: give a file name ending in .xlsx</source>
        <translation>{path} 是文件夹：请填写以 .xlsx 结尾的文件名</translation>
    </message>
    <message>
        <source>{name} already exists. Replace it?</source>
        <translation>{name} 已存在，是否替换？</translation>
    </message>
    <message>
        <source>Reading the week&apos;s requests…</source>
        <translation>正在读取本周诉求…</translation>
    </message>
    <message>
        <source>Counting…</source>
        <translation>正在统计…</translation>
    </message>
    <message>
        <source>Writing the summary…</source>
        <translation>正在写入汇总页…</translation>
    </message>
    <message>
        <source>Writing the requests…</source>
        <translation>正在写入诉求明细…</translation>
    </message>
    <message>
        <source>Finishing…</source>
        <translation>即将完成…</translation>
    </message>
    <message>
        <source>Creating the report for {week}…</source>
        <translation>正在生成 {week} 周报…</translation>
    </message>
    <message>
        <source>Creating the weekly report…</source>
        <translation>正在生成周报…</translation>
    </message>
    <message>
        <source>Cancelled: no report was written.</source>
        <translation>已取消：没有生成周报。</translation>
    </message>
    <message>
        <source>Saved {name}: {new} new, {resolved} resolved, {open} still open, {overdue} overdue.</source>
        <translation>已保存 {name}：新受理 {new} 件，办结 {resolved} 件，仍在办理 {open} 件，超期 {overdue} 件。</translation>
    </message>
    <message>
        <source>The week is not over yet: the figures are those of today.</source>
        <translation>本周尚未结束：数字截至今天。</translation>
    </message>
    <message>
        <source>The report cannot be written: {error}</source>
        <translation>无法写入周报：{error}</translation>
    </message>
    <message>
        <source>The report could not be made: {error}</source>
        <translation>周报生成失败：{error}</translation>
    </message>
</context>
<context>
    <name>ReportsPage</name>
    <message>
        <source>Reports</source>
        <translation>统计报表</translation>
    </message>
    <message>
        <source>This week so far</source>
        <translation>本周至今</translation>
    </message>
    <message>
        <source>received</source>
        <translation>受理</translation>
    </message>
    <message>
        <source>replied or closed</source>
        <translation>已答复或办结</translation>
    </message>
    <message>
        <source>overdue now (any week)</source>
        <translation>目前超期（不限周次）</translation>
    </message>
    <message>
        <source>open and overdue</source>
        <translation type="vanished">超期未办结</translation>
    </message>
    <message>
        <source>Weekly report</source>
        <translation>周报</translation>
    </message>
    <message>
        <source>The weekly report counts the requests received, resolved and overdue in a week, by category and department, with the ratings, and saves it as an Excel workbook for the district. Prepare it every Monday for the week before.</source>
        <translation>周报按类别和部门统计一周内受理、办结和超期的诉求及企业评价，保存为Excel工作簿报送区里。请在每周一生成上一周的周报。</translation>
    </message>
    <message>
        <source>Create weekly report…</source>
        <translation>生成周报…</translation>
    </message>
    <message>
        <source>This week so far (since Monday {date})</source>
        <translation>本周至今（{date}起）</translation>
    </message>
    <message>
        <source>The report dialog is not part of this version of the program yet.</source>
        <translation type="vanished">本版本尚未提供报表功能。</translation>
    </message>
</context>
<context>
    <name>Reprint</name>
    <message>
        <source>Thermal slip (80 mm)</source>
        <translation>热敏小票（80毫米）</translation>
    </message>
    <message>
        <source>A5 page</source>
        <translation>A5纸</translation>
    </message>
    <message>
        <source>the request {key} no longer exists</source>
        <translation>诉求{key}已不存在</translation>
    </message>
    <message>
        <source>Receipt</source>
        <translation>回执</translation>
    </message>
    <message>
        <source>The receipt cannot be printed: {error}</source>
        <translation>无法打印回执：{error}</translation>
    </message>
    <message>
        <source>Preparing the receipt…</source>
        <translation>正在准备回执…</translation>
    </message>
    <message>
        <source>Reprint the receipt</source>
        <translation>重新打印回执</translation>
    </message>
</context>
<context>
    <name>RequestQueueModel</name>
    <message>
        <source>Click to sort by this column; click a third time for the queue&apos;s own order</source>
        <extracomment>A new list longer than this shows its first page first (see the module documentation).</extracomment>
        <translation>点击按此列排序，第三次点击恢复默认排序（超期优先）</translation>
    </message>
    <message>
        <source>Tracking no.</source>
        <translation>受理编号</translation>
    </message>
    <message>
        <source>Received</source>
        <translation>受理时间</translation>
    </message>
    <message>
        <source>Enterprise</source>
        <translation>企业名称</translation>
    </message>
    <message>
        <source>Category</source>
        <translation>诉求类别</translation>
    </message>
    <message>
        <source>Department</source>
        <translation>承办部门</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Due</source>
        <translation>办理时限</translation>
    </message>
    <message>
        <source>Urgency</source>
        <translation>紧急程度</translation>
    </message>
    <message>
        <source>Sync</source>
        <translation>同步</translation>
    </message>
    <message>
        <source>{status} — urgent</source>
        <translation>{status}（紧急）</translation>
    </message>
    <message>
        <source>Overdue by 1 working day — escalation level {level} of 3</source>
        <translation>已超期 1 个工作日，督办等级 {level}（共 3 级）</translation>
    </message>
    <message>
        <source>Overdue by {days} working days — escalation level {level} of 3</source>
        <translation>已超期 {days} 个工作日，督办等级 {level}（共 3 级）</translation>
    </message>
    <message>
        <source>Sync failed: {error}</source>
        <translation>同步失败：{error}</translation>
    </message>
    <message>
        <source>{due} — provisional: counted on the statutory holidays until the official calendar of the year is published</source>
        <translation>{due}（暂定：在当年官方日历公布前，按法定节假日计算）</translation>
    </message>
</context>
<context>
    <name>RosterImportDialog</name>
    <message>
        <source>Import a tenant roster</source>
        <translation>导入租户名册</translation>
    </message>
    <message>
        <source>An Excel workbook (.xlsx) with one enterprise per row and a header row naming the columns, e.g. 企业名称, 统一社会信用代码, 联系人, 联系电话, 园区, 楼宇. Companies already in the directory (same credit code, or same name without one) are updated, never added twice.</source>
        <translation>请选择 Excel 工作簿（.xlsx）：每行一家企业，表头写明各列名称，如 企业名称、统一社会信用代码、联系人、联系电话、园区、楼宇。名录中已有的企业（信用代码相同，或无信用代码但名称相同）只会更新，不会重复添加。</translation>
    </message>
    <message>
        <source>No file chosen</source>
        <translation>尚未选择文件</translation>
    </message>
    <message>
        <source>Choose file…</source>
        <translation>选择文件…</translation>
    </message>
    <message>
        <source>Only rows with problems</source>
        <translation>只看有问题的行</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Choose the roster</source>
        <translation>选择租户名册</translation>
    </message>
    <message>
        <source>Excel workbooks (*.xlsx)</source>
        <translation>Excel 工作簿 (*.xlsx)</translation>
    </message>
    <message>
        <source>Export rows with problems…</source>
        <translation>导出有问题的行…</translation>
    </message>
    <message>
        <source>Save the rows with problems, each with all its problems, to an Excel file to correct them</source>
        <translation>把有问题的行（每行列出全部问题）保存为 Excel 文件，便于更正后重新导入</translation>
    </message>
    <message>
        <source>{name} - rows to correct.xlsx</source>
        <translation>{name}-待更正的行.xlsx</translation>
    </message>
    <message>
        <source>Export rows with problems</source>
        <translation>导出有问题的行</translation>
    </message>
    <message>
        <source>The rows could not be saved: {reason}</source>
        <translation>未能保存：{reason}</translation>
    </message>
    <message>
        <source>{count} rows with problems saved to {file}.</source>
        <translation>已将 {count} 行有问题的记录保存到 {file}。</translation>
    </message>
    <message>
        <source>Reading {file}…</source>
        <translation>正在读取 {file}…</translation>
    </message>
    <message>
        <source>Reading the roster…</source>
        <translation>正在读取名册…</translation>
    </message>
    <message>
        <source>The file cannot be read: {reason}</source>
        <translation>无法读取该文件：{reason}</translation>
    </message>
    <message>
        <source>The file {path} does not exist.</source>
        <translation>文件 {path} 不存在。</translation>
    </message>
    <message>
        <source>{path} is an old Excel 97-2003 (.xls) file. Open it in Excel or WPS, save it as .xlsx, then import that file.</source>
        <translation>{path} 是旧版 Excel 97-2003（.xls）文件。请用 Excel 或 WPS 打开后另存为 .xlsx，再导入新文件。</translation>
    </message>
    <message>
        <source>{path} is not an Excel workbook (.xlsx).</source>
        <translation>{path} 不是 Excel 工作簿（.xlsx）。</translation>
    </message>
    <message>
        <source>{path} cannot be read: {reason}</source>
        <translation>无法读取 {path}：{reason}</translation>
    </message>
    <message>
        <source>{path} is empty.</source>
        <translation>{path} 是空文件。</translation>
    </message>
    <message>
        <source>No header row found in {path}. The roster needs a column named 企业名称 (or 公司名称, 单位名称, Company name) in one of its first rows.</source>
        <translation>{path} 中找不到表头。名册前几行中须有一列名为“企业名称”（或“公司名称”“单位名称”、Company name）。</translation>
    </message>
    <message>
        <source>{path} has more than {limit} rows; split it into smaller files.</source>
        <translation>{path} 超过 {limit} 行，请拆分成多个文件后导入。</translation>
    </message>
    <message>
        <source>Import</source>
        <translation>导入</translation>
    </message>
    <message>
        <source>Choose the roster file to see what would be imported.</source>
        <translation>选择名册文件后，可先预览将要导入的内容。</translation>
    </message>
    <message>
        <source>{rows} rows in sheet “{sheet}”: {new} new, {update} to update, {unchanged} unchanged, {duplicate} repeated in the file, {invalid} with errors (not imported).</source>
        <translation>工作表“{sheet}”共 {rows} 行：新增 {new} 家，更新 {update} 家，无变化 {unchanged} 家，文件内重复 {duplicate} 行，有错误 {invalid} 行（不导入）。</translation>
    </message>
    <message>
        <source>name</source>
        <translation>企业名称</translation>
    </message>
    <message>
        <source>credit code</source>
        <translation>信用代码</translation>
    </message>
    <message>
        <source>contact</source>
        <translation>联系人</translation>
    </message>
    <message>
        <source>phone</source>
        <translation>联系电话</translation>
    </message>
    <message>
        <source>park</source>
        <translation>园区</translation>
    </message>
    <message>
        <source>building</source>
        <translation>楼宇</translation>
    </message>
    <message>
        <source>, </source>
        <translation>、</translation>
    </message>
    <message>
        <source>{field} ← “{title}”</source>
        <translation>{field} ←“{title}”</translation>
    </message>
    <message>
        <source>Columns read (header on row {line}): {mapping}</source>
        <translation>识别的列（表头在第 {line} 行）：{mapping}</translation>
    </message>
    <message>
        <source>Import {count} enterprises</source>
        <translation>导入 {count} 家企业</translation>
    </message>
    <message>
        <source>Imported: {created} new, {updated} updated, {unchanged} unchanged, {skipped} not imported.</source>
        <translation>导入完成：新增 {created} 家，更新 {updated} 家，无变化 {unchanged} 家，未导入 {skipped} 行。</translation>
    </message>
    <message>
        <source>Imported</source>
        <translation>已导入</translation>
    </message>
    <message>
        <source>Nothing was imported: {reason}</source>
        <translation>未导入任何内容：{reason}</translation>
    </message>
    <message>
        <source>Importing the roster…</source>
        <translation>正在导入名册…</translation>
    </message>
</context>
<context>
    <name>RosterPreviewModel</name>
    <message>
        <source>Row</source>
        <translation>行号</translation>
    </message>
    <message>
        <source>Import</source>
        <translation>导入结果</translation>
    </message>
    <message>
        <source>Enterprise</source>
        <translation>企业名称</translation>
    </message>
    <message>
        <source>Credit code</source>
        <translation>统一社会信用代码</translation>
    </message>
    <message>
        <source>Contact</source>
        <translation>联系人</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>联系电话</translation>
    </message>
    <message>
        <source>Park</source>
        <translation>园区</translation>
    </message>
    <message>
        <source>Building</source>
        <translation>楼宇</translation>
    </message>
    <message>
        <source>Problems</source>
        <translation type="vanished">问题</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>说明</translation>
    </message>
    <message>
        <source>New</source>
        <translation>新增</translation>
    </message>
    <message>
        <source>Update</source>
        <translation>更新</translation>
    </message>
    <message>
        <source>Unchanged</source>
        <translation>无变化</translation>
    </message>
    <message>
        <source>Duplicate</source>
        <translation>重复</translation>
    </message>
    <message>
        <source>Not imported</source>
        <translation>不导入</translation>
    </message>
    <message>
        <source>the same enterprise as row {line}</source>
        <translation type="vanished">与第 {line} 行是同一家企业</translation>
    </message>
    <message>
        <source>the directory knows this credit code as “{name}”</source>
        <translation type="vanished">名录中该信用代码对应“{name}”</translation>
    </message>
    <message>
        <source>credit code</source>
        <translation>信用代码</translation>
    </message>
    <message>
        <source>contact</source>
        <translation>联系人</translation>
    </message>
    <message>
        <source>phone</source>
        <translation>联系电话</translation>
    </message>
    <message>
        <source>park</source>
        <translation>园区</translation>
    </message>
    <message>
        <source>building</source>
        <translation>楼宇</translation>
    </message>
    <message>
        <source>updates: {fields}</source>
        <translation>将更新：{fields}</translation>
    </message>
    <message>
        <source>, </source>
        <translation>、</translation>
    </message>
</context>
<context>
    <name>SavedPanel</name>
    <message>
        <source>Request saved</source>
        <translation>受理已保存</translation>
    </message>
    <message>
        <source>Tracking number</source>
        <translation>受理编号</translation>
    </message>
    <message>
        <source>Enterprise</source>
        <translation>企业</translation>
    </message>
    <message>
        <source>Category</source>
        <translation>诉求类别</translation>
    </message>
    <message>
        <source>Department</source>
        <translation>承办部门</translation>
    </message>
    <message>
        <source>Reply due</source>
        <translation>承诺答复</translation>
    </message>
    <message>
        <source>Linked to</source>
        <translation>关联诉求</translation>
    </message>
    <message>
        <source>Print receipt</source>
        <translation>打印回执</translation>
    </message>
    <message>
        <source>80 mm slip</source>
        <translation>80毫米小票</translation>
    </message>
    <message>
        <source>A5 page</source>
        <translation>A5纸</translation>
    </message>
    <message>
        <source>Receipt paper</source>
        <translation>回执纸张</translation>
    </message>
    <message>
        <source>New intake</source>
        <translation>新建受理</translation>
    </message>
    <message>
        <source>(your choice; correction recorded)</source>
        <translation>（人工选择，已记录纠正）</translation>
    </message>
    <message>
        <source>to be set (the official calendar is not known yet)</source>
        <translation>待定（官方节假日安排尚未公布）</translation>
    </message>
    <message>
        <source>Saved although: {warnings}</source>
        <translation>已确认后保存：{warnings}</translation>
    </message>
    <message>
        <source>Receipt</source>
        <translation>回执</translation>
    </message>
    <message>
        <source>The receipt cannot be printed: {error}</source>
        <translation>回执无法打印：{error}</translation>
    </message>
    <message>
        <source>Preparing the receipt…</source>
        <translation>正在准备回执…</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
</context>
<context>
    <name>SettingsForm</name>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>The station code is part of every tracking number and cannot change.</source>
        <translation>服务站代码是受理编号的一部分，不能修改。</translation>
    </message>
    <message>
        <source>Allow an unencrypted (http://) hub address — not recommended</source>
        <translation>允许使用不加密的（http://）平台地址（不推荐）</translation>
    </message>
    <message>
        <source>Show</source>
        <translation>显示</translation>
    </message>
    <message>
        <source>Station</source>
        <translation>服务站</translation>
    </message>
    <message>
        <source>Station code</source>
        <translation>服务站代码</translation>
    </message>
    <message>
        <source>Station name</source>
        <translation>服务站名称</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>地址</translation>
    </message>
    <message>
        <source>Printed on the receipts.</source>
        <translation>打印在回执上。</translation>
    </message>
    <message>
        <source>Specialist</source>
        <translation>受理人员</translation>
    </message>
    <message>
        <source>Recorded with every request and printed on the receipts.</source>
        <translation>随每件诉求记录，并打印在回执上。</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>界面语言</translation>
    </message>
    <message>
        <source>Takes effect as soon as the settings are saved.</source>
        <translation>保存设置后立即生效。</translation>
    </message>
    <message>
        <source>District hub and receipts</source>
        <translation>区级平台与回执</translation>
    </message>
    <message>
        <source>Hub address</source>
        <translation>平台地址</translation>
    </message>
    <message>
        <source>Leave empty to work without sync.</source>
        <translation>留空则只在本机工作，不同步。</translation>
    </message>
    <message>
        <source>Station token</source>
        <translation>服务站令牌</translation>
    </message>
    <message>
        <source>Tracking address</source>
        <translation>查询地址</translation>
    </message>
    <message>
        <source>The QR code on the receipt opens this address; {tracking_no} is replaced by the tracking number.</source>
        <translation>回执上的二维码指向此地址，其中 {tracking_no} 会换成受理编号。</translation>
    </message>
    <message>
        <source>Save settings</source>
        <translation>保存设置</translation>
    </message>
    <message>
        <source>Undo changes</source>
        <translation>撤销修改</translation>
    </message>
    <message>
        <source>Ready-made reply texts…</source>
        <translation>答复模板…</translation>
    </message>
    <message>
        <source>Enter an address that starts with https://, for example:</source>
        <translation type="vanished">请填写以 https:// 开头的地址，例如：</translation>
    </message>
    <message>
        <source>Enter an address that starts with https:// (or http://), e.g. https://hub.example.cn</source>
        <translation type="vanished">请填写以 https://（或 http://）开头的地址，如 https://hub.example.cn</translation>
    </message>
    <message>
        <source>Enter an http(s) address that contains {tracking_no}.</source>
        <translation>请填写含有 {tracking_no} 的 http(s) 地址。</translation>
    </message>
    <message>
        <source>Not saved: please correct the fields marked in red.</source>
        <translation>未保存：请更正标红的项目。</translation>
    </message>
    <message>
        <source>Saved.</source>
        <translation>已保存。</translation>
    </message>
    <message>
        <source>Not saved: {error}</source>
        <translation>未保存：{error}</translation>
    </message>
</context>
<context>
    <name>SpecialistPage</name>
    <message>
        <source>Who works at this counter</source>
        <translation>受理人员</translation>
    </message>
    <message>
        <source>The specialist&apos;s name is recorded with every request and printed on the receipts. It can be changed in Settings.</source>
        <translation>受理人员姓名随每件诉求记录，并打印在回执上；以后可在“设置”中修改。</translation>
    </message>
    <message>
        <source>Specialist</source>
        <translation>受理人员</translation>
    </message>
</context>
<context>
    <name>SpecialistSwitcher</name>
    <message>
        <source>Switch the specialist</source>
        <translation>切换受理人员</translation>
    </message>
    <message>
        <source>Who works at the desk now? Pick a name or type a new one, then Enter.</source>
        <translation>现在由谁值班受理？选一个名字或输入新名字，按回车确认。</translation>
    </message>
    <message>
        <source>Specialist&apos;s name</source>
        <translation>受理人员姓名</translation>
    </message>
    <message>
        <source>Switch</source>
        <translation>切换</translation>
    </message>
    <message>
        <source>Enter the specialist&apos;s name.</source>
        <translation>请输入受理人员姓名。</translation>
    </message>
    <message>
        <source>The specialist was not switched: {error}</source>
        <translation>未能切换受理人员：{error}</translation>
    </message>
</context>
<context>
    <name>Startup</name>
    <message>
        <source>This database was written by a newer version of the program.</source>
        <translation>此数据库由更新版本的程序写入。</translation>
    </message>
    <message>
        <source>It was not opened and nothing in it was changed. Install the newer version of the workstation program, then start it again.</source>
        <translation>数据库没有打开，其中的内容也没有改动。请安装新版本的工作台程序后再启动。</translation>
    </message>
    <message>
        <source>The database file is damaged or is not a database of this program.</source>
        <translation>数据库文件已损坏，或不是本程序的数据库。</translation>
    </message>
    <message>
        <source>It was left untouched. Restore the latest backup (the backups folder in the data folder) with the command: xuhui-desk restore FILE</source>
        <translation>文件未作改动。请用命令 xuhui-desk restore FILE 恢复最近的备份（在数据文件夹的 backups 文件夹中）。</translation>
    </message>
    <message>
        <source>The database cannot be opened.</source>
        <translation>无法打开数据库。</translation>
    </message>
    <message>
        <source>It was left untouched. The details below say why.</source>
        <translation>文件未作改动，原因见下方详细信息。</translation>
    </message>
    <message>
        <source>Check that the data folder exists and can be written, then start the program again.</source>
        <translation>请检查数据文件夹是否存在、能否写入，然后重新启动程序。</translation>
    </message>
    <message>
        <source>Xuhui Enterprise Service Desk</source>
        <translation>徐汇企业服务工作台</translation>
    </message>
    <message>
        <source>Database file: {path}</source>
        <translation>数据库文件：{path}</translation>
    </message>
    <message>
        <source>Something went wrong. What you saved is safe; the details were written to the log.</source>
        <translation>程序出现意外错误。已保存的内容不受影响，详细情况已写入日志。</translation>
    </message>
</context>
<context>
    <name>StationPage</name>
    <message>
        <source>Your service station</source>
        <translation>本服务站</translation>
    </message>
    <message>
        <source>The station code starts every tracking number (for example XH03-20261126-007) and cannot change once requests are recorded.</source>
        <translation>服务站代码是每个受理编号的开头（如 XH03-20261126-007），登记诉求后不能再改。</translation>
    </message>
    <message>
        <source>e.g. Xujiahui service station</source>
        <translation>如：徐家汇服务站</translation>
    </message>
    <message>
        <source>Printed on the receipts (optional)</source>
        <translation>打印在回执上（可不填）</translation>
    </message>
    <message>
        <source>Station code</source>
        <translation>服务站代码</translation>
    </message>
    <message>
        <source>2 to 12 capital letters or digits, as given by the district.</source>
        <translation>2至12位大写字母或数字，以区里分配的为准。</translation>
    </message>
    <message>
        <source>Station name</source>
        <translation>服务站名称</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>地址</translation>
    </message>
</context>
<context>
    <name>SuggestionCard</name>
    <message>
        <source>Suggested category</source>
        <translation>建议类别</translation>
    </message>
    <message>
        <source>accept</source>
        <translation>采纳</translation>
    </message>
    <message>
        <source>Type the description: the suggested category and why will show here.</source>
        <translation>填写诉求内容后，这里显示建议的类别和判断依据。</translation>
    </message>
    <message>
        <source>Why</source>
        <translation>判断依据</translation>
    </message>
    <message>
        <source>Also possible</source>
        <translation>其他可能</translation>
    </message>
    <message>
        <source>{percent}% sure</source>
        <translation>把握 {percent}%</translation>
    </message>
    <message>
        <source>Handled by: {department}</source>
        <translation>承办部门：{department}</translation>
    </message>
    <message>
        <source>: {evidence}</source>
        <translation>：{evidence}</translation>
    </message>
    <message>
        <source>; </source>
        <translation>；</translation>
    </message>
    <message>
        <source>Category suggestions are not available: {error}</source>
        <translation>暂时无法给出类别建议：{error}</translation>
    </message>
</context>
<context>
    <name>SyncController</name>
    <message>
        <source>Sync uses an unencrypted hub address (http://): the station token and the requests can be read on the network. Ask the district for its https:// address.</source>
        <translation>同步正在使用不加密的平台地址（http://）：本站令牌和诉求内容可能在网络上被窃取。请向区里索取 https:// 地址。</translation>
    </message>
    <message>
        <source>Sync paused: the district hub needs a newer version of this program. Intake keeps working.</source>
        <translation>同步已暂停：区级平台要求更新本程序版本，受理等工作不受影响。</translation>
    </message>
    <message>
        <source>Sync failed: {error}</source>
        <translation>同步失败：{error}</translation>
    </message>
    <message>
        <source>{count} record(s) refused by the hub: click to review</source>
        <translation>{count} 条记录被区级平台退回：点击查看</translation>
    </message>
    <message>
        <source>The hub refused this station&apos;s token: ask the district for a new one and enter it in Settings</source>
        <translation>区级平台拒绝了本站令牌：请向区里申请新令牌，并在“设置”中填写</translation>
    </message>
    <message>
        <source>Cannot reach the district hub: requests are kept here and sent later</source>
        <translation>无法连接区级平台：诉求已保存在本机，稍后自动上传</translation>
    </message>
    <message>
        <source>The district hub is not answering: requests are kept here and sent later</source>
        <translation>区级平台没有响应：诉求已保存在本机，稍后自动上传</translation>
    </message>
    <message>
        <source>The district hub reported a problem: sync is tried again later</source>
        <translation>区级平台出现故障：稍后自动重新同步</translation>
    </message>
    <message>
        <source>Something answers at the hub address, but not as the district hub: check the address in Settings</source>
        <translation>该地址有应答，但不是区级平台：请在“设置”中核对平台地址</translation>
    </message>
    <message>
        <source>Unexpected answer from the hub: check the hub address in Settings</source>
        <translation type="vanished">区级平台应答异常：请在“设置”中检查平台地址</translation>
    </message>
    <message>
        <source>The hub refused a batch as a conflict: sync is tried again later</source>
        <translation>区级平台因冲突拒收了一批记录：稍后自动重新同步</translation>
    </message>
    <message>
        <source>Sync is not set up: enter the hub address and the station token in Settings</source>
        <translation>尚未设置同步：请在“设置”中填写区级平台地址和本站令牌</translation>
    </message>
    <message>
        <source>The last sync did not finish: it is tried again later</source>
        <translation>上次同步未完成：稍后自动重试</translation>
    </message>
    <message>
        <source>{n} days</source>
        <translation>{n} 天</translation>
    </message>
    <message>
        <source>{n} hours</source>
        <translation>{n} 小时</translation>
    </message>
    <message>
        <source>{n} minutes</source>
        <translation>{n} 分钟</translation>
    </message>
    <message>
        <source>This computer&apos;s clock is {amount} ahead of the district hub&apos;s: correct the system time</source>
        <translation>本机时钟比区级平台快 {amount}：请校准系统时间</translation>
    </message>
    <message>
        <source>This computer&apos;s clock is {amount} behind the district hub&apos;s: correct the system time</source>
        <translation>本机时钟比区级平台慢 {amount}：请校准系统时间</translation>
    </message>
</context>
<context>
    <name>SyncPanel</name>
    <message>
        <source>Sync with the district hub</source>
        <translation>与区级平台同步</translation>
    </message>
    <message>
        <source>Records the district hub refused</source>
        <translation>被区级平台退回的记录</translation>
    </message>
    <message>
        <source>A refused record stays on this computer and is not sent again until it is corrected. Open it, correct what the hub names and save: it is sent with the next sync. Use Resend when the problem was solved at the hub.</source>
        <translation>被退回的记录保存在本机，改正之前不会再次上传。打开记录，按平台说明改正并保存，下次同步时即自动上传。如问题已在区级平台解决，请点击“重新上传”。</translation>
    </message>
    <message>
        <source>Record</source>
        <translation>记录</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Problem</source>
        <translation>问题</translation>
    </message>
    <message>
        <source>Reason given by the hub</source>
        <translation>区级平台说明的原因</translation>
    </message>
    <message>
        <source>No refused records: everything the hub received was accepted.</source>
        <translation>没有被退回的记录：区级平台已接收全部上传的记录。</translation>
    </message>
    <message>
        <source>Open to correct</source>
        <translation>打开并改正</translation>
    </message>
    <message>
        <source>Resend selected</source>
        <translation>重新上传所选</translation>
    </message>
    <message>
        <source>Resend all</source>
        <translation>全部重新上传</translation>
    </message>
    <message>
        <source>Sync now</source>
        <translation>立即同步</translation>
    </message>
    <message>
        <source>Open settings</source>
        <translation>打开设置</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>The refused records could not be read: {error}</source>
        <translation>无法读取被退回的记录：{error}</translation>
    </message>
    <message>
        <source>Request</source>
        <translation>诉求</translation>
    </message>
    <message>
        <source>Company</source>
        <translation>企业</translation>
    </message>
    <message>
        <source>Timeline entry</source>
        <translation>办理记录</translation>
    </message>
    <message>
        <source>Policies handed over</source>
        <translation>政策推送</translation>
    </message>
    <message>
        <source>Update from the district</source>
        <translation>区级平台下发的更新</translation>
    </message>
    <message>
        <source>Refused</source>
        <translation>被退回</translation>
    </message>
    <message>
        <source>Too large for the hub</source>
        <translation>超出平台大小限制</translation>
    </message>
    <message>
        <source>The hub timed out on it</source>
        <translation>平台处理超时</translation>
    </message>
    <message>
        <source>Not applied (invalid)</source>
        <translation>内容有误，未采用</translation>
    </message>
    <message>
        <source>{count} record(s) queued again.</source>
        <translation>已重新排队上传 {count} 条记录。</translation>
    </message>
    <message>
        <source>Not queued again: {error}</source>
        <translation>未能重新排队：{error}</translation>
    </message>
    <message>
        <source>Nothing is sent while sync is not set up: {count} record(s) wait on this computer. Enter the hub address and the station token in Settings.</source>
        <translation>尚未设置同步，不会上传任何记录：本机有 {count} 条记录等待上传。请在“设置”中填写区级平台地址和本站令牌。</translation>
    </message>
    <message>
        <source>No refused records. Nothing has reached the district hub yet: {count} record(s) wait to be sent.</source>
        <translation>没有被退回的记录。尚未有记录送达区级平台：{count} 条记录等待上传。</translation>
    </message>
    <message>
        <source>No refused records. {count} record(s) wait to be sent with the next sync.</source>
        <translation>没有被退回的记录。{count} 条记录将在下次同步时上传。</translation>
    </message>
    <message>
        <source>Reading the sync state…</source>
        <translation>正在读取同步状态…</translation>
    </message>
    <message>
        <source>Sync is not set up: enter the hub address and the station token in Settings.</source>
        <translation>尚未设置同步：请在“设置”中填写区级平台地址和本站令牌。</translation>
    </message>
    <message>
        <source>Online</source>
        <translation>在线</translation>
    </message>
    <message>
        <source>Offline</source>
        <translation>离线</translation>
    </message>
    <message>
        <source>Not synced yet</source>
        <translation>尚未同步</translation>
    </message>
    <message>
        <source>never</source>
        <translation>从未同步</translation>
    </message>
    <message>
        <source>{state} · last successful sync: {last} · waiting to be sent: {pending}</source>
        <translation>{state} · 上次成功同步：{last} · 等待上传：{pending}</translation>
    </message>
    <message>
        <source>Syncing…</source>
        <translation>正在同步…</translation>
    </message>
    <message>
        <source>Sync finished: {pushed} sent, {pulled} updates received, {rejected} refused.</source>
        <translation>同步完成：上传 {pushed} 条，收到更新 {pulled} 条，被退回 {rejected} 条。</translation>
    </message>
</context>
<context>
    <name>SyncStatusBar</name>
    <message>
        <source>Sync now</source>
        <translation>立即同步</translation>
    </message>
    <message>
        <source>Sync with the district hub now ({shortcut})</source>
        <translation>立即与区级平台同步（{shortcut}）</translation>
    </message>
    <message>
        <source>○ Not synced yet</source>
        <translation>○ 尚未同步</translation>
    </message>
    <message>
        <source>Sync not set up</source>
        <translation>未设置同步</translation>
    </message>
    <message>
        <source>● Online</source>
        <translation>● 在线</translation>
    </message>
    <message>
        <source>● Offline</source>
        <translation>● 离线</translation>
    </message>
    <message>
        <source>Last sync: never</source>
        <translation>上次同步：无</translation>
    </message>
    <message>
        <source>Last sync: {time}</source>
        <translation>上次同步：{time}</translation>
    </message>
    <message>
        <source>Click for the sync panel</source>
        <translation>点击打开同步面板</translation>
    </message>
    <message>
        <source>Waiting to sync: {count}</source>
        <translation>待同步：{count}</translation>
    </message>
    <message>
        <source>{requests} request(s) and {others} other record(s) (companies, timeline entries) wait to be sent</source>
        <translation>{requests} 条诉求和 {others} 条其他记录（企业、办理记录）等待上传</translation>
    </message>
    <message>
        <source>⟳ Syncing…</source>
        <translation>⟳ 正在同步…</translation>
    </message>
    <message>
        <source>⟳ Contacting the district hub…</source>
        <translation>⟳ 正在连接区级平台…</translation>
    </message>
    <message>
        <source>⟳ Sending {done} of {total}</source>
        <translation>⟳ 正在上传 {done}/{total}</translation>
    </message>
    <message>
        <source>⟳ Sending…</source>
        <translation>⟳ 正在上传…</translation>
    </message>
    <message>
        <source>⟳ Receiving updates: {count}</source>
        <translation>⟳ 正在接收更新：{count}</translation>
    </message>
</context>
<context>
    <name>TaskRunner</name>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
</context>
<context>
    <name>TimelineView</name>
    <message>
        <source>Category {category}, department {department}</source>
        <translation>类别：{category}，承办部门：{department}</translation>
    </message>
    <message>
        <source>Category {category}</source>
        <translation>类别：{category}</translation>
    </message>
    <message>
        <source>Category {old} → {new}</source>
        <translation>类别：{old} → {new}</translation>
    </message>
    <message>
        <source>department {old} → {new}</source>
        <translation>承办部门：{old} → {new}</translation>
    </message>
    <message>
        <source>Department {old} → {new}</source>
        <translation>承办部门：{old} → {new}</translation>
    </message>
    <message>
        <source>{label} ({value})</source>
        <translation>{label}（{value}分）</translation>
    </message>
    <message>
        <source>Reopened after a dissatisfied rating; rectification due {due}</source>
        <translation>因评价不满意重新办理，整改期限 {due}</translation>
    </message>
    <message>
        <source>Due date recounted on the official calendar: {old} → {new}</source>
        <translation>已按官方日历重算办理时限：{old} → {new}</translation>
    </message>
    <message>
        <source>Due date recounted: {old} → {new} (still provisional)</source>
        <translation>已重算办理时限：{old} → {new}（仍为暂定）</translation>
    </message>
    <message>
        <source>{channel}: {summary}</source>
        <translation>{channel}：{summary}</translation>
    </message>
    <message>
        <source>Callback planned for {day}</source>
        <translation>约定回访 {day}</translation>
    </message>
    <message>
        <source>{name} ({size})</source>
        <translation>{name}（{size}）</translation>
    </message>
    <message>
        <source>description</source>
        <translation>诉求内容</translation>
    </message>
    <message>
        <source>channel</source>
        <translation>受理渠道</translation>
    </message>
    <message>
        <source>urgency</source>
        <translation>紧急程度</translation>
    </message>
    <message>
        <source>Corrected: {fields}</source>
        <translation>更正了：{fields}</translation>
    </message>
    <message>
        <source>, </source>
        <translation>、</translation>
    </message>
    <message>
        <source>Status {old} → {new}</source>
        <translation>状态：{old} → {new}</translation>
    </message>
    <message>
        <source>(closed by the enterprise&apos;s rating)</source>
        <translation>（企业评价后自动办结）</translation>
    </message>
</context>
<context>
    <name>TodayPage</name>
    <message>
        <source>Today</source>
        <translation>今日工作</translation>
    </message>
    <message>
        <source>Only mine</source>
        <translation>只看我的</translation>
    </message>
    <message>
        <source>Only the requests I took in and the callbacks I planned (Alt+O)</source>
        <translation>只显示我受理的诉求和我约定的回访（Alt+O）</translation>
    </message>
    <message>
        <source>Tracking no.</source>
        <translation>受理编号</translation>
    </message>
    <message>
        <source>Company</source>
        <translation>企业</translation>
    </message>
    <message>
        <source>What is due</source>
        <translation>待办事项</translation>
    </message>
    <message>
        <source>Specialist</source>
        <translation>受理人员</translation>
    </message>
    <message>
        <source>Reading today&apos;s lists…</source>
        <translation>正在读取今日工作……</translation>
    </message>
    <message>
        <source>Only mine ({name})</source>
        <translation>只看我的（{name}）</translation>
    </message>
    <message>
        <source>Overdue</source>
        <translation>已超期</translation>
    </message>
    <message>
        <source>Due today</source>
        <translation>今天到期</translation>
    </message>
    <message>
        <source>Due by the end of the next working day</source>
        <translation>下一个工作日内到期</translation>
    </message>
    <message>
        <source>Callbacks not made yet</source>
        <translation>逾期未回访</translation>
    </message>
    <message>
        <source>Callbacks planned for today</source>
        <translation>今天约定的回访</translation>
    </message>
    <message>
        <source>Low ratings to rectify</source>
        <translation>差评待整改</translation>
    </message>
    <message>
        <source>Refused by the district hub</source>
        <translation>被区平台退回</translation>
    </message>
    <message>
        <source>Overdue since {time}</source>
        <translation>已超期（{time} 到期）</translation>
    </message>
    <message>
        <source>Due today at {time}</source>
        <translation>今天 {time} 到期</translation>
    </message>
    <message>
        <source>Due {time}</source>
        <translation>{time} 到期</translation>
    </message>
    <message>
        <source>Call back (planned for {day})</source>
        <translation>回访（原定 {day}）</translation>
    </message>
    <message>
        <source>Call back today</source>
        <translation>今天回访</translation>
    </message>
    <message>
        <source>{what}: {detail}</source>
        <translation>{what}：{detail}</translation>
    </message>
    <message>
        <source>Rated {rating}: rectify</source>
        <translation>评价 {rating} 分：需整改</translation>
    </message>
    <message>
        <source>Rated {rating}: rectify by {time}</source>
        <translation>评价 {rating} 分：{time} 前整改</translation>
    </message>
    <message>
        <source>… and {count} more: see the request queue (Ctrl+3)</source>
        <translation>……另有 {count} 项，请在诉求台账中查看（Ctrl+3）</translation>
    </message>
    <message>
        <source>{count} to do</source>
        <translation>待办 {count} 项</translation>
    </message>
    <message>
        <source>Nothing is due today: no deadlines, no callbacks, no low ratings waiting.
A calm day — a new intake starts with F2.</source>
        <translation>今天没有待办：没有到期的诉求，没有要回访的企业，也没有待整改的差评。
祝您今天顺利——按 F2 开始新的受理登记。</translation>
    </message>
</context>
<context>
    <name>Workstation</name>
    <message>
        <source>Restored {name}; the data before it was kept as {kept}</source>
        <translation>已从 {name} 恢复；恢复前的数据已保存为 {kept}</translation>
    </message>
    <message>
        <source>Not restored: {error}</source>
        <translation>未恢复：{error}</translation>
    </message>
    <message>
        <source>Restore from a backup</source>
        <translation>从备份恢复</translation>
    </message>
    <message>
        <source>The backup was not restored; nothing was changed.

{error}</source>
        <translation>备份未恢复，数据没有任何改动。

{error}</translation>
    </message>
    <message>
        <source>Restoring the backup…</source>
        <translation>正在恢复备份…</translation>
    </message>
</context>
</TS>

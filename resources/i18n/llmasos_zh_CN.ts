<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>ActionPopup</name>
    <message>
        <source>LLMasOS</source>
        <translation>LLMasOS</translation>
    </message>
    <message>
        <source>LLMasOS answer</source>
        <translation>LLMasOS 回答</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>操作</translation>
    </message>
    <message>
        <source>Recognized text</source>
        <translation>识别出的文字</translation>
    </message>
    <message>
        <source>Recognized text, editable</source>
        <translation>识别出的文字（可编辑）</translation>
    </message>
    <message>
        <source>Correct a misread word here, then press Retry to run the action again</source>
        <translation>在此更正识别错误的字词，然后按“重试”重新运行该操作</translation>
    </message>
    <message>
        <source>Answer</source>
        <translation>回答</translation>
    </message>
    <message>
        <source>Changes to the selected text</source>
        <translation>对所选文本的修改</translation>
    </message>
    <message>
        <source>C&amp;hanges</source>
        <translation>修改(&amp;H)</translation>
    </message>
    <message>
        <source>Show the changes to the selected text</source>
        <translation>显示对所选文本的修改</translation>
    </message>
    <message>
        <source>Switch between the changes and the result (Ctrl+D)</source>
        <translation>在修改与结果之间切换 (Ctrl+D)</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Re&amp;place</source>
        <translation>替换(&amp;P)</translation>
    </message>
    <message>
        <source>Replace the selection with the answer</source>
        <translation>用回答替换选中的文字</translation>
    </message>
    <message>
        <source>Paste the answer over the selected text (Ctrl+Enter); your clipboard is kept</source>
        <translation>把回答粘贴到选中的文字上（Ctrl+Enter）；你的剪贴板内容会保留</translation>
    </message>
    <message>
        <source>&amp;Copy</source>
        <translation>复制(&amp;C)</translation>
    </message>
    <message>
        <source>Copy the answer</source>
        <translation>复制回答</translation>
    </message>
    <message>
        <source>&amp;Retry</source>
        <translation>重试(&amp;R)</translation>
    </message>
    <message>
        <source>Run the action again</source>
        <translation>再次运行该操作</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Close (Esc)</source>
        <translation>关闭 (Esc)</translation>
    </message>
    <message>
        <source>Target language</source>
        <translation>目标语言</translation>
    </message>
    <message>
        <source>Tone</source>
        <translation>语气</translation>
    </message>
    <message>
        <source>&amp;Translate</source>
        <translation>翻译(&amp;T)</translation>
    </message>
    <message>
        <source>Translate the recognized text</source>
        <translation>翻译识别出的文字</translation>
    </message>
    <message>
        <source>&amp;Improve</source>
        <translation>润色(&amp;I)</translation>
    </message>
    <message>
        <source>Improve the recognized text</source>
        <translation>润色识别出的文字</translation>
    </message>
    <message>
        <source>E&amp;xplain</source>
        <translation>解释(&amp;X)</translation>
    </message>
    <message>
        <source>Explain the recognized text</source>
        <translation>解释识别出的文字</translation>
    </message>
    <message>
        <source>&amp;Open in Translate</source>
        <translation>在翻译中打开(&amp;O)</translation>
    </message>
    <message>
        <source>Continue in the Translate window</source>
        <translation>在翻译窗口中继续</translation>
    </message>
    <message>
        <source>&amp;Open in Write</source>
        <translation>在写作中打开(&amp;O)</translation>
    </message>
    <message>
        <source>Continue in the Write window</source>
        <translation>在写作窗口中继续</translation>
    </message>
    <message>
        <source>Nothing is selected: select some text first, then try again.</source>
        <translation>未选中任何内容：请先选中一些文本，然后重试。</translation>
    </message>
    <message>
        <source>No model is loaded: open one in LLMasOS first.</source>
        <translation>尚未加载模型：请先在 LLMasOS 中打开一个模型。</translation>
    </message>
    <message>
        <source>Already in {language}: translating into {target}…</source>
        <translation>原文已是{language}：改为译成{target}…</translation>
    </message>
    <message>
        <source>Working…</source>
        <translation>正在处理…</translation>
    </message>
    <message>
        <source>Keeping the source&apos;s lines: translating line {n} of {total}…</source>
        <translation>保留原文分行：正在逐行翻译第 {n} 行（共 {total} 行）…</translation>
    </message>
    <message>
        <source>The last answer.</source>
        <translation>上一个回答。</translation>
    </message>
    <message>
        <source>No answer yet.</source>
        <translation>还没有回答。</translation>
    </message>
    <message>
        <source>Replacing…</source>
        <translation>正在替换…</translation>
    </message>
    <message>
        <source>Copied.</source>
        <translation>已复制。</translation>
    </message>
    <message>
        <source>Done.</source>
        <translation>完成。</translation>
    </message>
    <message>
        <source>Done. Check: {problems}</source>
        <translation>完成。请检查：{problems}</translation>
    </message>
    <message>
        <source>Translate</source>
        <translation>翻译</translation>
    </message>
    <message>
        <source>Proofread</source>
        <translation>校对</translation>
    </message>
    <message>
        <source>Rewrite</source>
        <translation>改写</translation>
    </message>
    <message>
        <source>Summarize</source>
        <translation>摘要</translation>
    </message>
    <message>
        <source>Explain</source>
        <translation>解释</translation>
    </message>
    <message>
        <source>Ask</source>
        <translation>提问</translation>
    </message>
    <message>
        <source>Text in the image</source>
        <translation>图片中的文字</translation>
    </message>
</context>
<context>
    <name>AskBox</name>
    <message>
        <source>Ask LLMasOS</source>
        <translation>向 LLMasOS 提问</translation>
    </message>
    <message>
        <source>Selected text used as context</source>
        <translation>作为上下文的选中文字</translation>
    </message>
    <message>
        <source>Ask anything, then press Enter</source>
        <translation>输入任何问题，然后按 Enter</translation>
    </message>
    <message>
        <source>Question</source>
        <translation>问题</translation>
    </message>
    <message>
        <source>Answer</source>
        <translation>回答</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Co&amp;ntinue in Chat</source>
        <translation>在聊天中继续(&amp;N)</translation>
    </message>
    <message>
        <source>Continue in Chat: a new conversation with the question and the answer</source>
        <translation>在聊天中继续：用这个问题和回答新建一个对话</translation>
    </message>
    <message>
        <source>Open the question and the answer in Chat to go on (Ctrl+Shift+Enter)</source>
        <translation>在聊天中打开这个问题和回答，接着聊下去（Ctrl+Shift+Enter）</translation>
    </message>
    <message>
        <source>About the selected text: {text}</source>
        <translation>关于选中的文字：{text}</translation>
    </message>
    <message>
        <source>No model is loaded: open one in LLMasOS first.</source>
        <translation>尚未加载模型：请先在 LLMasOS 中打开一个模型。</translation>
    </message>
    <message>
        <source>Working…</source>
        <translation>正在处理…</translation>
    </message>
    <message>
        <source>Copied.</source>
        <translation>已复制。</translation>
    </message>
    <message>
        <source>Done. Ctrl+C copies the answer, Esc closes.</source>
        <translation>完成。Ctrl+C 复制回答，Esc 关闭。</translation>
    </message>
</context>
<context>
    <name>AskPanel</name>
    <message>
        <source>Answer</source>
        <translation>回答</translation>
    </message>
    <message>
        <source>Answer from your documents, citing the passages.</source>
        <translation>根据你的文档回答，并注明出处段落。</translation>
    </message>
    <message>
        <source>Answer status</source>
        <translation>回答状态</translation>
    </message>
    <message>
        <source>Any language (Ctrl+K); Enter asks.</source>
        <translation>任何语言均可（Ctrl+K）；按 Enter 提问。</translation>
    </message>
    <message>
        <source>As&amp;k</source>
        <translation>提问(&amp;K)</translation>
    </message>
    <message>
        <source>Ask</source>
        <translation>提问</translation>
    </message>
    <message>
        <source>Ask a question about your documents</source>
        <translation>就你的文档提一个问题</translation>
    </message>
    <message>
        <source>Cited passage</source>
        <translation>引用的段落</translation>
    </message>
    <message>
        <source>Done.</source>
        <translation>完成。</translation>
    </message>
    <message>
        <source>Done. Click a [number] to see the passage it cites.</source>
        <translation>完成。点击 [编号] 可查看它引用的段落。</translation>
    </message>
    <message>
        <source>Looking for the passages that answer it…</source>
        <translation>正在查找能回答它的段落…</translation>
    </message>
    <message>
        <source>Nothing to ask yet: add a folder first.</source>
        <translation>还没有可提问的内容：请先添加文件夹。</translation>
    </message>
    <message>
        <source>Open the file</source>
        <translation>打开文件</translation>
    </message>
    <message>
        <source>Question</source>
        <translation>问题</translation>
    </message>
    <message>
        <source>Stopped. The text so far is kept.</source>
        <translation>已停止。已生成的文本会保留。</translation>
    </message>
    <message>
        <source>The answer appears here; click a [1] to see the passage it comes from.</source>
        <translation>回答显示在这里；点击 [1] 这样的标记可查看它出自哪个段落。</translation>
    </message>
    <message>
        <source>Writing the answer…</source>
        <translation>正在撰写回答…</translation>
    </message>
    <message>
        <source>Your documents do not seem to cover this.</source>
        <translation>你的文档似乎没有涉及这个问题。</translation>
    </message>
    <message>
        <source>[{n}] names no passage (the answer is still being written).</source>
        <translation>[{n}] 没有对应的段落（回答仍在撰写中）。</translation>
    </message>
    <message>
        <source>{n} passages found; writing the answer…</source>
        <translation>找到 {n} 个段落；正在撰写回答…</translation>
    </message>
</context>
<context>
    <name>CatalogPanel</name>
    <message>
        <source>Recommended models</source>
        <translation>推荐的模型</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Parameters</source>
        <translation>参数量</translation>
    </message>
    <message>
        <source>Quantization</source>
        <translation>量化</translation>
    </message>
    <message>
        <source>Fit</source>
        <translation>适配</translation>
    </message>
    <message>
        <source>Speed</source>
        <translation>速度</translation>
    </message>
    <message>
        <source>Languages</source>
        <translation>语言</translation>
    </message>
    <message>
        <source>Licence</source>
        <translation>许可证</translation>
    </message>
    <message>
        <source>Description</source>
        <translation>说明</translation>
    </message>
    <message>
        <source>Catalog status</source>
        <translation>目录状态</translation>
    </message>
    <message>
        <source>Show &amp;files</source>
        <translation>显示文件(&amp;F)</translation>
    </message>
    <message>
        <source>Show the files of the selected model</source>
        <translation>显示所选模型的文件</translation>
    </message>
    <message>
        <source>{n} recommended models. Fit is estimated for {context} tokens of context; hover a badge for the numbers.</source>
        <translation>{n} 个推荐模型。适配情况按 {context} 个词元的上下文估算；将鼠标悬停在标记上可查看具体数字。</translation>
    </message>
</context>
<context>
    <name>ChangesView</name>
    <message>
        <source>This change deletes words: {words}. Check before accepting.</source>
        <translation>此修改删除了词语：{words}。接受前请检查。</translation>
    </message>
    <message>
        <source>Tracked changes</source>
        <translation>修订</translation>
    </message>
    <message>
        <source>No changes to review.</source>
        <translation>没有需要审阅的修改。</translation>
    </message>
    <message>
        <source>&amp;Accept</source>
        <translation>接受(&amp;A)</translation>
    </message>
    <message>
        <source>Accept the next change</source>
        <translation>接受下一处修改</translation>
    </message>
    <message>
        <source>Reject the next change</source>
        <translation>拒绝下一处修改</translation>
    </message>
    <message>
        <source>Re&amp;ject</source>
        <translation>拒绝(&amp;J)</translation>
    </message>
    <message>
        <source>Accept a&amp;ll</source>
        <translation>全部接受(&amp;L)</translation>
    </message>
    <message>
        <source>Accept all changes</source>
        <translation>接受全部修改</translation>
    </message>
    <message>
        <source>Reject all</source>
        <translation>全部拒绝</translation>
    </message>
    <message>
        <source>Reject all changes</source>
        <translation>拒绝全部修改</translation>
    </message>
    <message>
        <source>The text was edited since the changes were made, so this change cannot be placed. Run the action again.</source>
        <translation>生成修改后文本已被编辑，因此无法应用这处修改。请重新运行该操作。</translation>
    </message>
    <message>
        <source>{n} changes: {open} to review, {done} decided.</source>
        <translation>共 {n} 处修改：{open} 处待审阅，{done} 处已处理。</translation>
    </message>
    <message>
        <source>The result is the same as the text.</source>
        <translation>结果与原文相同。</translation>
    </message>
    <message>
        <source>Accept</source>
        <translation>接受</translation>
    </message>
    <message>
        <source>Reject</source>
        <translation>拒绝</translation>
    </message>
</context>
<context>
    <name>ChatInput</name>
    <message>
        <source>Message</source>
        <translation>消息</translation>
    </message>
    <message>
        <source>Type a message. Enter sends, Shift+Enter starts a new line, Esc stops.</source>
        <translation>输入消息。按 Enter 发送，Shift+Enter 换行，Esc 停止。</translation>
    </message>
    <message>
        <source>Type a message. Ctrl+Enter sends, Enter starts a new line, Esc stops.</source>
        <translation>输入消息。按 Ctrl+Enter 发送，Enter 换行，Esc 停止。</translation>
    </message>
</context>
<context>
    <name>ChatPage</name>
    <message>
        <source>Enter sends</source>
        <translation>按 Enter 发送</translation>
    </message>
    <message>
        <source>&amp;Send</source>
        <translation>发送(&amp;S)</translation>
    </message>
    <message>
        <source>Send message</source>
        <translation>发送消息</translation>
    </message>
    <message>
        <source>S&amp;top</source>
        <translation>停止(&amp;T)</translation>
    </message>
    <message>
        <source>Stop generating</source>
        <translation>停止生成</translation>
    </message>
    <message>
        <source>&amp;Regenerate</source>
        <translation>重新生成(&amp;R)</translation>
    </message>
    <message>
        <source>Regenerate the last answer</source>
        <translation>重新生成最后一条回答</translation>
    </message>
    <message>
        <source>Conversation title</source>
        <translation>对话标题</translation>
    </message>
    <message>
        <source>Persona</source>
        <translation>角色</translation>
    </message>
    <message>
        <source>S&amp;ettings…</source>
        <translation>设置(&amp;E)…</translation>
    </message>
    <message>
        <source>Conversation settings</source>
        <translation>对话设置</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <source>Export or import</source>
        <translation>导出或导入</translation>
    </message>
    <message>
        <source>Export as Markdown…</source>
        <translation>导出为 Markdown…</translation>
    </message>
    <message>
        <source>Export as JSON…</source>
        <translation>导出为 JSON…</translation>
    </message>
    <message>
        <source>Import JSON…</source>
        <translation>导入 JSON…</translation>
    </message>
    <message>
        <source>&amp;Undo</source>
        <translation>撤销(&amp;U)</translation>
    </message>
    <message>
        <source>Undo</source>
        <translation>撤销</translation>
    </message>
    <message>
        <source>New chat</source>
        <translation>新对话</translation>
    </message>
    <message>
        <source>Conversation deleted.</source>
        <translation>对话已删除。</translation>
    </message>
    <message>
        <source>Answer regenerated.</source>
        <translation>回答已重新生成。</translation>
    </message>
    <message>
        <source>Message edited.</source>
        <translation>消息已编辑。</translation>
    </message>
    <message>
        <source>{note} Undo brings back the previous answer.</source>
        <translation>{note}撤销可恢复之前的回答。</translation>
    </message>
    <message>
        <source>Looking for the passages that answer it…</source>
        <translation>正在查找能回答它的段落…</translation>
    </message>
    <message>
        <source>Waiting for the model…</source>
        <translation>正在等待模型…</translation>
    </message>
    <message>
        <source>Rename conversation</source>
        <translation>重命名对话</translation>
    </message>
    <message>
        <source>Title:</source>
        <translation>标题：</translation>
    </message>
    <message>
        <source>Edit and resend</source>
        <translation>编辑并重新发送</translation>
    </message>
    <message>
        <source>Message:</source>
        <translation>消息：</translation>
    </message>
    <message>
        <source>Could not export to {path}: {error}</source>
        <translation>无法导出到 {path}：{error}</translation>
    </message>
    <message>
        <source>Exported to {path}.</source>
        <translation>已导出到 {path}。</translation>
    </message>
    <message>
        <source>Could not import {name}: {error}</source>
        <translation>无法导入 {name}：{error}</translation>
    </message>
    <message>
        <source>Export conversation</source>
        <translation>导出对话</translation>
    </message>
    <message>
        <source>Import conversation</source>
        <translation>导入对话</translation>
    </message>
    <message>
        <source>Conversation exports (*.json)</source>
        <translation>导出的对话 (*.json)</translation>
    </message>
</context>
<context>
    <name>ContextMeter</name>
    <message>
        <source>Context used</source>
        <translation>已用上下文</translation>
    </message>
    <message>
        <source>Context: –</source>
        <translation>上下文：–</translation>
    </message>
    <message>
        <source>The model&apos;s context length is shown once a model is loaded.</source>
        <translation>加载模型后才会显示模型的上下文长度。</translation>
    </message>
    <message>
        <source>Context: {used} / {n_ctx}</source>
        <translation>上下文：{used} / {n_ctx}</translation>
    </message>
    <message>
        <source>{used} of {n_ctx} tokens of the model&apos;s context</source>
        <translation>已用模型上下文 {n_ctx} 个词元中的 {used} 个</translation>
    </message>
</context>
<context>
    <name>ConversationList</name>
    <message>
        <source>&amp;New chat</source>
        <translation>新建对话(&amp;N)</translation>
    </message>
    <message>
        <source>New conversation</source>
        <translation>新建对话</translation>
    </message>
    <message>
        <source>Search conversations</source>
        <translation>搜索对话</translation>
    </message>
    <message>
        <source>Search all conversations</source>
        <translation>搜索所有对话</translation>
    </message>
    <message>
        <source>Conversations</source>
        <translation>对话列表</translation>
    </message>
    <message>
        <source>No messages match.</source>
        <translation>没有匹配的消息。</translation>
    </message>
    <message>
        <source>Rename…</source>
        <translation>重命名…</translation>
    </message>
    <message>
        <source>Pin / unpin</source>
        <translation>置顶 / 取消置顶</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
</context>
<context>
    <name>ConversationSettingsDialog</name>
    <message>
        <source>Settings — {title}</source>
        <translation>设置 — {title}</translation>
    </message>
    <message>
        <source>System prompt</source>
        <translation>系统提示词</translation>
    </message>
    <message>
        <source>Also save as the “{persona}” persona</source>
        <translation>同时保存为“{persona}”角色</translation>
    </message>
    <message>
        <source>Use the app&apos;s sampling settings</source>
        <translation>使用应用的采样设置</translation>
    </message>
    <message>
        <source>Temperature</source>
        <translation>温度</translation>
    </message>
    <message>
        <source>Top-p</source>
        <translation>Top-p</translation>
    </message>
    <message>
        <source>Answer length (tokens)</source>
        <translation>回答长度（词元）</translation>
    </message>
</context>
<context>
    <name>DocumentsButton</name>
    <message>
        <source>Documents to answer from</source>
        <translation>用于回答的文档</translation>
    </message>
    <message>
        <source>Answer from your knowledge collections, citing the passages ({key}).</source>
        <translation>根据你的知识库集合回答，并引用段落（{key}）。</translation>
    </message>
    <message>
        <source>Documents</source>
        <translation>文档</translation>
    </message>
    <message>
        <source>Documents: {name}</source>
        <translation>文档：{name}</translation>
    </message>
    <message>
        <source>Documents ({n})</source>
        <translation>文档（{n}）</translation>
    </message>
    <message>
        <source>{name} (removed)</source>
        <translation>{name}（已移除）</translation>
    </message>
    <message>
        <source>No collections yet: add a folder on the Knowledge page</source>
        <translation>还没有集合：请在知识库页面添加文件夹</translation>
    </message>
</context>
<context>
    <name>DownloadQueue</name>
    <message>
        <source>Download queue</source>
        <translation>下载队列</translation>
    </message>
    <message>
        <source>No downloads yet. Choose a file under “Get models” and press Download.</source>
        <translation>还没有下载。请在“获取模型”中选择文件并点击“下载”。</translation>
    </message>
    <message>
        <source>Clear &amp;finished</source>
        <translation>清除已完成(&amp;F)</translation>
    </message>
    <message>
        <source>Clear finished downloads</source>
        <translation>清除已完成的下载</translation>
    </message>
    <message>
        <source>Waiting for the downloads before it.</source>
        <translation>正在等待前面的下载完成。</translation>
    </message>
    <message>
        <source>Interrupted at {percent:.1f}% when LLMasOS last ran; Resume continues where it stopped.</source>
        <translation>上次运行 LLMasOS 时在 {percent:.1f}% 处中断；“继续”会从中断处接着下载。</translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation>正在连接…</translation>
    </message>
    <message>
        <source>Paused; Resume continues where it stopped.</source>
        <translation>已暂停；点击“继续”将从中断处接着下载。</translation>
    </message>
    <message>
        <source>Installed {name} (SHA-256 verified).</source>
        <translation>已安装 {name}（SHA-256 校验通过）。</translation>
    </message>
    <message>
        <source>Cancelled; the partial file was deleted.</source>
        <translation>已取消；未完成的文件已删除。</translation>
    </message>
    <message>
        <source>Paused at {percent:.1f}%; Resume continues where it stopped.</source>
        <translation>已在 {percent:.1f}% 处暂停；点击“继续”将从中断处接着下载。</translation>
    </message>
    <message>
        <source>Pausing…</source>
        <translation>正在暂停…</translation>
    </message>
    <message>
        <source>Paused before it started.</source>
        <translation>在开始前已暂停。</translation>
    </message>
    <message>
        <source>Cancelling…</source>
        <translation>正在取消…</translation>
    </message>
    <message>
        <source>Deleting the partial file…</source>
        <translation>正在删除未完成的文件…</translation>
    </message>
    <message>
        <source>1 download.</source>
        <translation>1 个下载。</translation>
    </message>
    <message>
        <source>{n} downloads.</source>
        <translation>{n} 个下载。</translation>
    </message>
    <message>
        <source>No downloads.</source>
        <translation>没有下载。</translation>
    </message>
</context>
<context>
    <name>DownloadRow</name>
    <message>
        <source>Download of {name}</source>
        <translation>{name} 的下载</translation>
    </message>
    <message>
        <source>Progress of {name}</source>
        <translation>{name} 的进度</translation>
    </message>
    <message>
        <source>Waiting…</source>
        <translation>等待中…</translation>
    </message>
    <message>
        <source>Status of {name}</source>
        <translation>{name} 的状态</translation>
    </message>
    <message>
        <source>&amp;Pause</source>
        <translation>暂停(&amp;P)</translation>
    </message>
    <message>
        <source>Pause {name}</source>
        <translation>暂停 {name}</translation>
    </message>
    <message>
        <source>&amp;Cancel</source>
        <translation>取消(&amp;C)</translation>
    </message>
    <message>
        <source>Cancel {name}</source>
        <translation>取消 {name}</translation>
    </message>
    <message>
        <source>&amp;Retry</source>
        <translation>重试(&amp;R)</translation>
    </message>
    <message>
        <source>Retry {name}</source>
        <translation>重试 {name}</translation>
    </message>
    <message>
        <source>&amp;Resume</source>
        <translation>继续(&amp;R)</translation>
    </message>
    <message>
        <source>Resume {name}</source>
        <translation>继续下载 {name}</translation>
    </message>
</context>
<context>
    <name>ErrorDialog</name>
    <message>
        <source>LLMasOS — unexpected error</source>
        <translation>LLMasOS — 意外错误</translation>
    </message>
    <message>
        <source>Something went wrong inside LLMasOS. Your text is kept. The details are saved in the log file ({log}); please report them.</source>
        <translation>LLMasOS 内部出现了问题。你的文本已保留。详细信息已保存到日志文件（{log}），请反馈给我们。</translation>
    </message>
    <message>
        <source>&amp;Copy details</source>
        <translation>复制详细信息(&amp;C)</translation>
    </message>
</context>
<context>
    <name>ErrorText</name>
    <message>
        <source>The desktop portal (Wayland shortcuts and screenshots) does not answer.</source>
        <translation>桌面门户（Wayland 的快捷键和截图）没有响应。</translation>
    </message>
    <message>
        <source>Something went wrong inside LLMasOS. The details are in the log file; please report them.</source>
        <translation>LLMasOS 内部出错了。详细信息已写入日志文件，请报告此问题。</translation>
    </message>
    <message>
        <source>The request could not be done.</source>
        <translation>无法完成此请求。</translation>
    </message>
    <message>
        <source>This model file cannot be used. Pick another file.</source>
        <translation>无法使用此模型文件。请选择其他文件。</translation>
    </message>
    <message>
        <source>The model file is not there any more. Open it from its new place.</source>
        <translation>模型文件已不在原处。请从新位置打开它。</translation>
    </message>
    <message>
        <source>Several installed models have this file name; name one by its full name.</source>
        <translation>有多个已安装的模型使用此文件名；请用完整名称指定其中一个。</translation>
    </message>
    <message>
        <source>The model file cannot be read: check its permissions.</source>
        <translation>无法读取模型文件：请检查其权限。</translation>
    </message>
    <message>
        <source>The file is not a usable GGUF model (it is damaged, incomplete or not a model). Download it again or pick another file.</source>
        <translation>此文件不是可用的 GGUF 模型（已损坏、不完整或不是模型）。请重新下载，或选择其他文件。</translation>
    </message>
    <message>
        <source>This GGUF model needs a newer llama.cpp than this build. Update LLMasOS or pick another model.</source>
        <translation>此 GGUF 模型需要比当前版本更新的 llama.cpp。请更新 LLMasOS，或选择其他模型。</translation>
    </message>
    <message>
        <source>llama.cpp could not load the model (often too little memory). Try a smaller model or a shorter context length.</source>
        <translation>llama.cpp 无法加载该模型（通常是内存不足）。请尝试更小的模型或更短的上下文长度。</translation>
    </message>
    <message>
        <source>No model is loaded. Open a model first.</source>
        <translation>尚未加载模型。请先打开一个模型。</translation>
    </message>
    <message>
        <source>The text is too long for the model&apos;s context ({prompt_tokens} of {n_ctx} tokens). Shorten it, start a new chat or raise the context length in Settings.</source>
        <translation>文本超出了模型的上下文（{prompt_tokens} / {n_ctx} 个词元）。请缩短文本、开始新对话，或在设置中增大上下文长度。</translation>
    </message>
    <message>
        <source>The model&apos;s chat template failed. Try another model.</source>
        <translation>模型的对话模板出错。请尝试其他模型。</translation>
    </message>
    <message>
        <source>llama.cpp failed while writing the answer. Try again.</source>
        <translation>llama.cpp 在生成回答时出错。请重试。</translation>
    </message>
    <message>
        <source>A setting has a value that cannot be used. Correct it and apply again.</source>
        <translation>某项设置的值无法使用。请更正后重新应用。</translation>
    </message>
    <message>
        <source>The remote server failed. Check its address and model in Settings.</source>
        <translation>远程服务器出错。请在设置中检查其地址和模型。</translation>
    </message>
    <message>
        <source>The remote server cannot be reached. Check its address in Settings and the network.</source>
        <translation>无法连接远程服务器。请检查设置中的地址和网络。</translation>
    </message>
    <message>
        <source>The remote server rejected the API key. Check the key in Settings.</source>
        <translation>远程服务器拒绝了 API 密钥。请在设置中检查密钥。</translation>
    </message>
    <message>
        <source>The remote server does not serve this model. Check the model name in Settings.</source>
        <translation>远程服务器不提供此模型。请在设置中检查模型名称。</translation>
    </message>
    <message>
        <source>The remote server asks to slow down. Wait a moment and try again.</source>
        <translation>远程服务器要求降低请求频率。请稍候再试。</translation>
    </message>
    <message>
        <source>The remote server did not answer in time. Try again later.</source>
        <translation>远程服务器未及时响应。请稍后再试。</translation>
    </message>
    <message>
        <source>The remote server&apos;s answer broke off; the text so far is kept. Try again.</source>
        <translation>远程服务器的回答中断了；已保留目前的文本。请重试。</translation>
    </message>
    <message>
        <source>The remote server answered with something that is not the expected API.</source>
        <translation>远程服务器的响应不是预期的 API 格式。</translation>
    </message>
    <message>
        <source>The conversation database cannot be opened or written. Check the disk.</source>
        <translation>无法打开或写入对话数据库。请检查磁盘。</translation>
    </message>
    <message>
        <source>That conversation or message no longer exists.</source>
        <translation>该对话或消息已不存在。</translation>
    </message>
    <message>
        <source>This file is not an LLMasOS conversation export.</source>
        <translation>此文件不是 LLMasOS 导出的对话。</translation>
    </message>
    <message>
        <source>This text or file cannot be used (encoding or format).</source>
        <translation>无法使用此文本或文件（编码或格式问题）。</translation>
    </message>
    <message>
        <source>LLMasOS does not know this language. Pick one from the list.</source>
        <translation>LLMasOS 不认识这种语言。请从列表中选择。</translation>
    </message>
    <message>
        <source>The API server could not start (its port may be taken). Pick another port.</source>
        <translation>API 服务器无法启动（端口可能已被占用）。请选择其他端口。</translation>
    </message>
    <message>
        <source>There is no X11 display to work with other applications.</source>
        <translation>没有可用的 X11 显示，无法与其他应用程序配合。</translation>
    </message>
    <message>
        <source>The system-wide shortcut cannot be registered. Pick another one.</source>
        <translation>无法注册全局快捷键。请换一个。</translation>
    </message>
    <message>
        <source>This shortcut is not valid on this keyboard. Pick another one.</source>
        <translation>此快捷键在当前键盘上无效。请换一个。</translation>
    </message>
    <message>
        <source>Another program already uses this shortcut. Pick another one.</source>
        <translation>另一个程序已占用此快捷键。请换一个。</translation>
    </message>
    <message>
        <source>The result could not be pasted into the other application; it is copied.</source>
        <translation>无法将结果粘贴到另一个应用程序中；它已复制到剪贴板。</translation>
    </message>
    <message>
        <source>The text in this image could not be recognized.</source>
        <translation>无法识别这张图片中的文字。</translation>
    </message>
    <message>
        <source>Text recognition (OCR) is not installed. Install it with: pip install &apos;llmasos[ocr]&apos;</source>
        <translation>尚未安装文字识别（OCR）。请用以下命令安装：pip install &apos;llmasos[ocr]&apos;</translation>
    </message>
    <message>
        <source>This is not an image LLMasOS can read (PNG, JPEG, BMP, …).</source>
        <translation>这不是 LLMasOS 能读取的图片（PNG、JPEG、BMP 等）。</translation>
    </message>
    <message>
        <source>This writing request cannot be done. Try again or pick another action.</source>
        <translation>无法完成此写作请求。请重试或选择其他操作。</translation>
    </message>
    <message>
        <source>The models folder cannot be written. Check the disk and its permissions.</source>
        <translation>无法写入模型文件夹。请检查磁盘及其权限。</translation>
    </message>
    <message>
        <source>There is not enough free disk space. Free some space and try again.</source>
        <translation>磁盘空间不足。请释放一些空间后重试。</translation>
    </message>
    <message>
        <source>A different model with this name is already installed.</source>
        <translation>已安装了另一个同名模型。</translation>
    </message>
    <message>
        <source>The document index cannot be opened or written. Check the disk.</source>
        <translation>无法打开或写入文档索引。请检查磁盘。</translation>
    </message>
    <message>
        <source>No document collection has this name.</source>
        <translation>没有此名称的文档集合。</translation>
    </message>
    <message>
        <source>The collection cannot be made or changed as asked.</source>
        <translation>无法按要求创建或更改该集合。</translation>
    </message>
    <message>
        <source>This document&apos;s text cannot be read (encrypted, damaged or not text).</source>
        <translation>无法读取此文档的文本（已加密、已损坏或不是文本）。</translation>
    </message>
    <message>
        <source>The model manager failed. Try again.</source>
        <translation>模型管理器出错。请重试。</translation>
    </message>
    <message>
        <source>The Hugging Face Hub cannot be reached. Check the network, or the Hub address (mirror) in Settings.</source>
        <translation>无法连接 Hugging Face Hub。请检查网络，或设置中的 Hub 地址（镜像）。</translation>
    </message>
    <message>
        <source>The Hub address in Settings must start with https://.</source>
        <translation>设置中的 Hub 地址必须以 https:// 开头。</translation>
    </message>
    <message>
        <source>The Hub refused access (a private repository, or a missing token). Set a Hub token in Settings.</source>
        <translation>Hub 拒绝访问（私有仓库，或缺少令牌）。请在设置中填写 Hub 令牌。</translation>
    </message>
    <message>
        <source>This repository is gated: accept its licence on the Hugging Face Hub, then set a Hub token in Settings.</source>
        <translation>此仓库需要授权：请先在 Hugging Face Hub 上接受其许可协议，然后在设置中填写 Hub 令牌。</translation>
    </message>
    <message>
        <source>The repository or file does not exist on the Hub.</source>
        <translation>Hub 上不存在该仓库或文件。</translation>
    </message>
    <message>
        <source>The downloaded file was damaged (wrong checksum) and was deleted. Download again.</source>
        <translation>下载的文件已损坏（校验和不符），已被删除。请重新下载。</translation>
    </message>
    <message>
        <source>The Hub listed a file name that is not safe to save; it was skipped.</source>
        <translation>Hub 列出的某个文件名不安全，无法保存；已跳过。</translation>
    </message>
    <message>
        <source>The Hub answered in a way LLMasOS cannot use. Try again later.</source>
        <translation>Hub 的响应无法被 LLMasOS 使用。请稍后再试。</translation>
    </message>
    <message>
        <source>The model catalog is missing or damaged. Reinstall LLMasOS.</source>
        <translation>模型目录缺失或已损坏。请重新安装 LLMasOS。</translation>
    </message>
</context>
<context>
    <name>Everywhere</name>
    <message>
        <source>On Wayland, LLMasOS can read the screen only through the desktop&apos;s screenshot portal, which this desktop does not offer. Copy a screenshot with your desktop&apos;s tool, then use an action with nothing selected: it reads the text of the image on the clipboard.</source>
        <translation>在 Wayland 上，LLMasOS 只能通过桌面的截图门户（portal）读取屏幕，而这个桌面没有提供。请用桌面自带的工具截图并复制，然后在没有选中文字时使用某个操作：它会读取剪贴板中图片的文字。</translation>
    </message>
    <message>
        <source>Text in the image</source>
        <translation>图片中的文字</translation>
    </message>
    <message>
        <source>The screen cannot be captured on this desktop.</source>
        <translation>在此桌面上无法截取屏幕。</translation>
    </message>
    <message>
        <source>Recognizing text…</source>
        <translation>正在识别文字…</translation>
    </message>
    <message>
        <source>{lines} lines recognized in {seconds:.1f} s.</source>
        <translation>已识别 {lines} 行，用时 {seconds:.1f} 秒。</translation>
    </message>
    <message>
        <source>No text was found in the image.</source>
        <translation>图片中没有找到文字。</translation>
    </message>
    <message>
        <source>The model is still loading; the answer follows.</source>
        <translation>模型仍在加载；加载完成后给出回答。</translation>
    </message>
    <message>
        <source>This desktop has no text selection LLMasOS can read.</source>
        <translation>此桌面没有 LLMasOS 可读取的选中文本。</translation>
    </message>
</context>
<context>
    <name>FileProblem</name>
    <message>
        <source>{name} is larger than {mib} MiB, too big to index. Split it, or leave it out of the collection.</source>
        <translation>{name} 大于 {mib} MiB，太大，无法索引。请拆分它，或不要放入集合。</translation>
    </message>
    <message>
        <source>{name} looks binary, not text. Leave it out of the collection.</source>
        <translation>{name} 看起来是二进制文件，不是文本。请不要放入集合。</translation>
    </message>
    <message>
        <source>{name} is neither UTF-8 nor {encoding} text (byte {byte} at offset {offset}). Convert it to UTF-8, e.g. with iconv.</source>
        <translation>{name} 既不是 UTF-8 也不是 {encoding} 文本（偏移 {offset} 处的字节 {byte}）。请把它转换为 UTF-8，例如用 iconv。</translation>
    </message>
    <message>
        <source>{name} is protected by a password. Save a copy without the password to index it.</source>
        <translation>{name} 受密码保护。请另存一份不带密码的副本再索引。</translation>
    </message>
    <message>
        <source>{name} is encrypted and reading it needs the &apos;cryptography&apos; package, which is missing from this installation. Reinstall LLMasOS, or save a copy without encryption.</source>
        <translation>{name} 已加密，读取它需要 cryptography 软件包，而本次安装中没有。请重新安装 LLMasOS，或另存一份未加密的副本。</translation>
    </message>
    <message>
        <source>{name} is not a readable PDF ({detail}). Open it in a PDF viewer to check it, or save it again.</source>
        <translation>{name} 不是可读取的 PDF（{detail}）。请用 PDF 阅读器打开检查，或重新保存。</translation>
    </message>
    <message>
        <source>{name} is not a readable Word document ({detail}). Open it in Word or LibreOffice and save it again as .docx.</source>
        <translation>{name} 不是可读取的 Word 文档（{detail}）。请在 Word 或 LibreOffice 中打开，并重新另存为 .docx。</translation>
    </message>
    <message>
        <source>{path} cannot be read ({reason}). Check its permissions.</source>
        <translation>无法读取 {path}（{reason}）。请检查它的权限。</translation>
    </message>
    <message>
        <source>no text found (a scanned PDF needs OCR first)</source>
        <translation>未找到文本（扫描的 PDF 需要先做 OCR）</translation>
    </message>
</context>
<context>
    <name>FilesPanel</name>
    <message>
        <source>&lt;b&gt;Files&lt;/b&gt;</source>
        <translation>&lt;b&gt;文件&lt;/b&gt;</translation>
    </message>
    <message>
        <source>Model files</source>
        <translation>模型文件</translation>
    </message>
    <message>
        <source>File</source>
        <translation>文件</translation>
    </message>
    <message>
        <source>Quantization</source>
        <translation>量化</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>大小</translation>
    </message>
    <message>
        <source>Fit</source>
        <translation>适配</translation>
    </message>
    <message>
        <source>Speed</source>
        <translation>速度</translation>
    </message>
    <message>
        <source>&amp;Download</source>
        <translation>下载(&amp;D)</translation>
    </message>
    <message>
        <source>Download the selected file</source>
        <translation>下载所选文件</translation>
    </message>
    <message>
        <source>Listing the files</source>
        <translation>正在列出文件</translation>
    </message>
    <message>
        <source>Files status</source>
        <translation>文件状态</translation>
    </message>
    <message>
        <source>Choose a model in the catalog or the search results.</source>
        <translation>请在目录或搜索结果中选择一个模型。</translation>
    </message>
    <message>
        <source>Files of {repo}</source>
        <translation>{repo} 的文件</translation>
    </message>
    <message>
        <source>Listing the files of {repo}…</source>
        <translation>正在列出 {repo} 的文件…</translation>
    </message>
    <message>
        <source> ({n} parts)</source>
        <translation>（{n} 个分卷）</translation>
    </message>
    <message>
        <source>{n} GGUF models.</source>
        <translation>{n} 个 GGUF 模型。</translation>
    </message>
    <message>
        <source>{repo} has no GGUF files.</source>
        <translation>{repo} 没有 GGUF 文件。</translation>
    </message>
</context>
<context>
    <name>FindBar</name>
    <message>
        <source>Find in conversation</source>
        <translation>在对话中查找</translation>
    </message>
    <message>
        <source>Find in this conversation</source>
        <translation>在此对话中查找</translation>
    </message>
    <message>
        <source>Matches</source>
        <translation>匹配项</translation>
    </message>
    <message>
        <source>Previous match (Shift+F3)</source>
        <translation>上一个匹配 (Shift+F3)</translation>
    </message>
    <message>
        <source>Next match (F3)</source>
        <translation>下一个匹配 (F3)</translation>
    </message>
    <message>
        <source>Close find (Esc)</source>
        <translation>关闭查找 (Esc)</translation>
    </message>
    <message>
        <source>No match</source>
        <translation>无匹配</translation>
    </message>
    <message>
        <source>{n} of {total}</source>
        <translation>第 {n} 个，共 {total} 个</translation>
    </message>
</context>
<context>
    <name>GlobalHotkeys</name>
    <message>
        <source>{shortcut} for “{action}”: waiting for you to approve it in your desktop&apos;s dialog.</source>
        <translation>“{action}”的快捷键 {shortcut}：等待你在桌面的对话框中批准。</translation>
    </message>
    <message>
        <source>{keys}: {action} (set in your desktop)</source>
        <translation>{keys}：{action}（在桌面中设置）</translation>
    </message>
    <message>
        <source>Your desktop did not bind {shortcut} for “{action}”. Add it in your desktop&apos;s keyboard settings with the command: {command}</source>
        <translation>桌面没有绑定“{action}”的快捷键 {shortcut}。请在桌面的键盘设置中添加它，命令为：{command}</translation>
    </message>
    <message>
        <source>The shortcuts were not approved in your desktop&apos;s dialog, so {shortcut} for “{action}” does nothing. Apply the settings again to be asked again, or add {shortcut} in your desktop&apos;s keyboard settings with the command: {command}</source>
        <translation>快捷键未在桌面的对话框中获得批准，所以“{action}”的快捷键 {shortcut} 不起作用。再次应用设置即可重新询问，或者在桌面的键盘设置中添加 {shortcut}，命令为：{command}</translation>
    </message>
    <message>
        <source>On Wayland, programs cannot set system-wide shortcuts themselves, and your desktop offers no shortcuts portal. Add {shortcut} in your desktop&apos;s keyboard settings (custom shortcut) with the command: {command}</source>
        <translation>在 Wayland 上，程序不能自行设置全局快捷键，而你的桌面没有提供快捷键门户（portal）。请在桌面的键盘设置中添加自定义快捷键 {shortcut}，命令为：{command}</translation>
    </message>
    <message>
        <source>This is a Wayland session and LLMasOS runs on XWayland: Replace pastes only into X11 programs (in a Wayland program, use Copy and paste it yourself), and the selection of a Wayland program reaches LLMasOS only where your desktop shares it with XWayland.</source>
        <translation>这是 Wayland 会话，LLMasOS 运行在 XWayland 上：“替换”只能粘贴到 X11 程序中（在 Wayland 程序中，请用“复制”后自行粘贴）；只有当桌面把 Wayland 程序的选中文字共享给 XWayland 时，LLMasOS 才能读到它。</translation>
    </message>
    <message>
        <source>{shortcut} for “{action}” works only while an X11 program has the focus: this is a Wayland session and LLMasOS runs on XWayland. For every program, add {shortcut} in your desktop&apos;s keyboard settings with the command: {command}</source>
        <translation>“{action}”的快捷键 {shortcut} 只在 X11 程序获得焦点时有效：这是 Wayland 会话，LLMasOS 运行在 XWayland 上。要让它在所有程序中生效，请在桌面的键盘设置中添加 {shortcut}，命令为：{command}</translation>
    </message>
    <message>
        <source>Translate selection</source>
        <translation>翻译选中文字</translation>
    </message>
    <message>
        <source>Improve selection</source>
        <translation>改进选中文字</translation>
    </message>
    <message>
        <source>Ask box</source>
        <translation>提问框</translation>
    </message>
    <message>
        <source>OCR a screen region</source>
        <translation>识别屏幕区域中的文字</translation>
    </message>
    <message>
        <source>The shortcut {shortcut} for “{action}” is already taken by another program, so it does nothing in LLMasOS. Pick another one in Settings › Everywhere, or free it in the other program.</source>
        <translation>“{action}”的快捷键 {shortcut} 已被其他程序占用，因此在 LLMasOS 中不起作用。请在 设置 › 随处可用 中另选一个，或在那个程序中释放它。</translation>
    </message>
    <message>
        <source>The shortcut {shortcut} for “{action}” cannot be used ({error}). Pick another one in Settings › Everywhere.</source>
        <translation>“{action}”的快捷键 {shortcut} 无法使用（{error}）。请在 设置 › 随处可用 中另选一个。</translation>
    </message>
    <message>
        <source>{shortcut}: {action}</source>
        <translation>{shortcut}：{action}</translation>
    </message>
    <message>
        <source>LLMasOS registers system-wide shortcuts only on X11 ({error}). Bind {shortcut} in your desktop&apos;s keyboard settings to the command: {command}</source>
        <translation>LLMasOS 只能在 X11 上注册全局快捷键（{error}）。请在桌面的键盘设置中把 {shortcut} 绑定到命令：{command}</translation>
    </message>
</context>
<context>
    <name>GlossaryDialog</name>
    <message>
        <source>Glossary: {source} → {target}</source>
        <translation>术语表：{source} → {target}</translation>
    </message>
    <message>
        <source>Glossary terms</source>
        <translation>术语表条目</translation>
    </message>
    <message>
        <source>Term</source>
        <translation>术语</translation>
    </message>
    <message>
        <source>Translation</source>
        <translation>译文</translation>
    </message>
    <message>
        <source>&amp;Add term</source>
        <translation>添加术语(&amp;A)</translation>
    </message>
    <message>
        <source>&amp;Remove term</source>
        <translation>删除术语(&amp;R)</translation>
    </message>
    <message>
        <source>Terms are used only when the text contains them.</source>
        <translation>只有文本中出现的术语才会被使用。</translation>
    </message>
</context>
<context>
    <name>HistoryPanel</name>
    <message>
        <source>Search history</source>
        <translation>搜索历史记录</translation>
    </message>
    <message>
        <source>Search past translations</source>
        <translation>搜索以往的翻译</translation>
    </message>
    <message>
        <source>History</source>
        <translation>历史记录</translation>
    </message>
    <message>
        <source>Re-&amp;apply</source>
        <translation>重新应用(&amp;A)</translation>
    </message>
    <message>
        <source>Run the selected action again on the current text</source>
        <translation>对当前文本再次运行所选操作</translation>
    </message>
    <message>
        <source>Copy result</source>
        <translation>复制结果</translation>
    </message>
    <message>
        <source>Copy the selected result</source>
        <translation>复制所选结果</translation>
    </message>
    <message>
        <source>Input:
{input}

Result:
{result}</source>
        <translation>输入：
{input}

结果：
{result}</translation>
    </message>
</context>
<context>
    <name>InstalledPanel</name>
    <message>
        <source>Installed models</source>
        <translation>已安装的模型</translation>
    </message>
    <message>
        <source>&amp;Import a GGUF file…</source>
        <translation>导入 GGUF 文件(&amp;I)…</translation>
    </message>
    <message>
        <source>Import a GGUF file</source>
        <translation>导入 GGUF 文件</translation>
    </message>
    <message>
        <source>&amp;Load</source>
        <translation>加载(&amp;L)</translation>
    </message>
    <message>
        <source>Load the selected model</source>
        <translation>加载所选模型</translation>
    </message>
    <message>
        <source>Set &amp;default</source>
        <translation>设为默认(&amp;D)</translation>
    </message>
    <message>
        <source>Make the selected model the default</source>
        <translation>将所选模型设为默认</translation>
    </message>
    <message>
        <source>&amp;Remove…</source>
        <translation>删除(&amp;R)…</translation>
    </message>
    <message>
        <source>Remove the selected model</source>
        <translation>删除所选模型</translation>
    </message>
    <message>
        <source>&amp;Open a GGUF file…</source>
        <translation>打开 GGUF 文件(&amp;O)…</translation>
    </message>
    <message>
        <source>Open a GGUF file</source>
        <translation>打开 GGUF 文件</translation>
    </message>
    <message>
        <source>Re&amp;fresh</source>
        <translation>刷新(&amp;F)</translation>
    </message>
    <message>
        <source>Refresh the installed models</source>
        <translation>刷新已安装的模型</translation>
    </message>
    <message>
        <source>Could not read the models folder: {error}</source>
        <translation>无法读取模型文件夹：{error}</translation>
    </message>
    <message>
        <source>in use</source>
        <translation>使用中</translation>
    </message>
    <message>
        <source>cannot be used</source>
        <translation>无法使用</translation>
    </message>
    <message>
        <source>{path}
From: {source}</source>
        <translation>{path}
来源：{source}</translation>
    </message>
    <message>
        <source>default</source>
        <translation>默认</translation>
    </message>
    <message>
        <source>Select a model first.</source>
        <translation>请先选择一个模型。</translation>
    </message>
    <message>
        <source>{name} opens when LLMasOS starts.</source>
        <translation>LLMasOS 启动时将打开 {name}。</translation>
    </message>
    <message>
        <source> It is loaded now and stays loaded until another model is opened.</source>
        <translation>它当前已加载，在打开其他模型之前会一直保持加载。</translation>
    </message>
    <message>
        <source>Remove model</source>
        <translation>删除模型</translation>
    </message>
    <message>
        <source>Delete {name} ({size}) from {folder}?</source>
        <translation>要从 {folder} 删除 {name}（{size}）吗？</translation>
    </message>
    <message>
        <source>Removed {name}.</source>
        <translation>已删除 {name}。</translation>
    </message>
    <message>
        <source>Import a GGUF model</source>
        <translation>导入 GGUF 模型</translation>
    </message>
    <message>
        <source>GGUF models (*.gguf);;All files (*)</source>
        <translation>GGUF 模型 (*.gguf);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Importing {name}…</source>
        <translation>正在导入 {name}…</translation>
    </message>
    <message>
        <source>Imported {name} ({size}).</source>
        <translation>已导入 {name}（{size}）。</translation>
    </message>
</context>
<context>
    <name>KnowledgePage</name>
    <message>
        <source>Indexed</source>
        <translation>已索引</translation>
    </message>
    <message>
        <source>No text</source>
        <translation>无文字</translation>
    </message>
    <message>
        <source>Error</source>
        <translation>错误</translation>
    </message>
    <message>
        <source>Add a folder to search your documents. Its files (text, Markdown, PDF, Word, HTML, code) are indexed in the background and kept up to date while LLMasOS runs.</source>
        <translation>添加一个文件夹，即可搜索你的文档。其中的文件（文本、Markdown、PDF、Word、HTML、代码）会在后台建立索引，并在 LLMasOS 运行期间保持更新。</translation>
    </message>
    <message>
        <source>No collections yet</source>
        <translation>还没有文档集</translation>
    </message>
    <message>
        <source>Problem</source>
        <translation>问题</translation>
    </message>
    <message>
        <source>Search status</source>
        <translation>搜索状态</translation>
    </message>
    <message>
        <source>&amp;Collections</source>
        <translation>文档集(&amp;C)</translation>
    </message>
    <message>
        <source>Collections</source>
        <translation>文档集</translation>
    </message>
    <message>
        <source>Add &amp;folder…</source>
        <translation>添加文件夹(&amp;F)…</translation>
    </message>
    <message>
        <source>Add a folder</source>
        <translation>添加文件夹</translation>
    </message>
    <message>
        <source>Make a collection of a folder and everything in it.</source>
        <translation>用一个文件夹及其中的全部内容建立文档集。</translation>
    </message>
    <message>
        <source>Add f&amp;iles…</source>
        <translation>添加文件(&amp;I)…</translation>
    </message>
    <message>
        <source>Add files</source>
        <translation>添加文件</translation>
    </message>
    <message>
        <source>Add files to the collection chosen (or make one).</source>
        <translation>把文件加入所选文档集（没有则新建一个）。</translation>
    </message>
    <message>
        <source>&amp;Remove</source>
        <translation>移除(&amp;R)</translation>
    </message>
    <message>
        <source>Remove the collection</source>
        <translation>移除文档集</translation>
    </message>
    <message>
        <source>Forget the collection chosen (Delete); your files are not touched.</source>
        <translation>移除所选文档集（Delete 键）；你的文件不受影响。</translation>
    </message>
    <message>
        <source>Re-inde&amp;x</source>
        <translation>重新索引(&amp;X)</translation>
    </message>
    <message>
        <source>Re-index the collection</source>
        <translation>重新索引文档集</translation>
    </message>
    <message>
        <source>Check the collection&apos;s folders for changes now (F5).</source>
        <translation>立即检查文档集的文件夹有无变化（F5）。</translation>
    </message>
    <message>
        <source>Fi&amp;les</source>
        <translation>文件(&amp;L)</translation>
    </message>
    <message>
        <source>Files of the collection</source>
        <translation>文档集中的文件</translation>
    </message>
    <message>
        <source>File</source>
        <translation>文件</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Passages</source>
        <translation>段落</translation>
    </message>
    <message>
        <source>Search your documents, in any language</source>
        <translation>搜索你的文档，中英文皆可</translation>
    </message>
    <message>
        <source>Search</source>
        <translation>搜索</translation>
    </message>
    <message>
        <source>Words or a question (Ctrl+F); Enter searches.</source>
        <translation>输入词语或问题（Ctrl+F）；按 Enter 搜索。</translation>
    </message>
    <message>
        <source>&amp;Search</source>
        <translation>搜索(&amp;S)</translation>
    </message>
    <message>
        <source>Find the passages that match best.</source>
        <translation>找出最匹配的段落。</translation>
    </message>
    <message>
        <source>Indexing progress</source>
        <translation>索引进度</translation>
    </message>
    <message>
        <source>Indexing status</source>
        <translation>索引状态</translation>
    </message>
    <message>
        <source>&amp;Pause</source>
        <translation>暂停(&amp;P)</translation>
    </message>
    <message>
        <source>Pause indexing</source>
        <translation>暂停索引</translation>
    </message>
    <message>
        <source>Hold indexing (searches still work); press again to go on.</source>
        <translation>暂停索引（仍可搜索）；再按一次继续。</translation>
    </message>
    <message>
        <source>S&amp;top</source>
        <translation>停止(&amp;T)</translation>
    </message>
    <message>
        <source>Stop indexing</source>
        <translation>停止索引</translation>
    </message>
    <message>
        <source>Stop indexing now; what is indexed is kept, Re-index goes on.</source>
        <translation>立即停止索引；已索引的内容会保留，“重新索引”会接着做。</translation>
    </message>
    <message>
        <source>Type words or a question above and press Enter.</source>
        <translation>在上方输入词语或问题，然后按 Enter。</translation>
    </message>
    <message>
        <source>Nothing to search yet: add a folder first.</source>
        <translation>还没有可搜索的内容：请先添加文件夹。</translation>
    </message>
    <message>
        <source>Add a folder of documents</source>
        <translation>添加文档文件夹</translation>
    </message>
    <message>
        <source>Add documents</source>
        <translation>添加文档</translation>
    </message>
    <message>
        <source>Documents (*.txt *.md *.markdown *.pdf *.docx *.html *.htm *.rst *.py *.js *.ts *.java *.c *.cpp *.h *.go *.rs *.json *.csv);;All files (*)</source>
        <translation>文档 (*.txt *.md *.markdown *.pdf *.docx *.html *.htm *.rst *.py *.js *.ts *.java *.c *.cpp *.h *.go *.rs *.json *.csv);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Remove the collection “{name}” from Knowledge? Your files are not touched; only the index of them is deleted.</source>
        <translation>从知识库中移除文档集“{name}”吗？你的文件不受影响，只删除它们的索引。</translation>
    </message>
    <message>
        <source>{status}: {error}</source>
        <translation>{status}：{error}</translation>
    </message>
    <message>
        <source>Waiting to be indexed</source>
        <translation>等待索引</translation>
    </message>
    <message>
        <source>{name}: finding the meaning of {done} of {total} passages…</source>
        <translation>{name}：正在理解第 {done}/{total} 个段落…</translation>
    </message>
    <message>
        <source>{name}: reading file {done} of {total}…</source>
        <translation>{name}：正在读取第 {done}/{total} 个文件…</translation>
    </message>
    <message>
        <source>{name}: looking for changes…</source>
        <translation>{name}：正在检查变化…</translation>
    </message>
    <message>
        <source>{name}: stopped; what was indexed is kept.</source>
        <translation>{name}：已停止；已索引的内容会保留。</translation>
    </message>
    <message>
        <source>{name}: {files} files indexed, {failed} could not be read.</source>
        <translation>{name}：已索引 {files} 个文件，{failed} 个无法读取。</translation>
    </message>
    <message>
        <source>{name}: {files} files, {chunks} passages, up to date.</source>
        <translation>{name}：{files} 个文件，{chunks} 个段落，已是最新。</translation>
    </message>
    <message>
        <source>{name} could not be indexed: {error}</source>
        <translation>{name} 无法索引：{error}</translation>
    </message>
    <message>
        <source>Indexing paused ({name}). Searches still work.</source>
        <translation>索引已暂停（{name}）。仍可搜索。</translation>
    </message>
    <message>
        <source>All collections are up to date.</source>
        <translation>所有文档集都已是最新。</translation>
    </message>
    <message>
        <source>{name}: starting…</source>
        <translation>{name}：正在开始…</translation>
    </message>
    <message>
        <source>Searching…</source>
        <translation>正在搜索…</translation>
    </message>
    <message>
        <source>{n} passages for “{query}”, best first. Enter or a double click opens the file.</source>
        <translation>“{query}”找到 {n} 个段落，最相关的在前。按 Enter 或双击打开文件。</translation>
    </message>
    <message>
        <source>Nothing in your documents matches “{query}”. Try other words, or check that indexing has finished.</source>
        <translation>你的文档中没有与“{query}”匹配的内容。请换个说法，或确认索引已完成。</translation>
    </message>
    <message>
        <source>Ask a question</source>
        <translation>提问</translation>
    </message>
    <message>
        <source>Resu&amp;me</source>
        <translation>继续(&amp;M)</translation>
    </message>
    <message>
        <source>Search or ask</source>
        <translation>搜索或提问</translation>
    </message>
    <message>
        <source>Search passages</source>
        <translation>搜索段落</translation>
    </message>
</context>
<context>
    <name>KnowledgeService</name>
    <message>
        <source>The embedding model {path} is not there; search is full-text only until you pick another in Settings › Knowledge.</source>
        <translation>找不到嵌入模型 {path}；在“设置 › 知识库”中另选一个之前，只能进行全文搜索。</translation>
    </message>
    <message>
        <source>The embedding model cannot be used, so search is full-text only: {error}</source>
        <translation>嵌入模型无法使用，因此只能进行全文搜索：{error}</translation>
    </message>
</context>
<context>
    <name>Language</name>
    <message>
        <source>English</source>
        <translation>英语</translation>
    </message>
    <message>
        <source>Simplified Chinese</source>
        <translation>简体中文</translation>
    </message>
    <message>
        <source>Traditional Chinese</source>
        <translation>繁体中文</translation>
    </message>
    <message>
        <source>Japanese</source>
        <translation>日语</translation>
    </message>
    <message>
        <source>Korean</source>
        <translation>韩语</translation>
    </message>
    <message>
        <source>French</source>
        <translation>法语</translation>
    </message>
    <message>
        <source>German</source>
        <translation>德语</translation>
    </message>
    <message>
        <source>Spanish</source>
        <translation>西班牙语</translation>
    </message>
    <message>
        <source>Portuguese</source>
        <translation>葡萄牙语</translation>
    </message>
    <message>
        <source>Italian</source>
        <translation>意大利语</translation>
    </message>
    <message>
        <source>Russian</source>
        <translation>俄语</translation>
    </message>
    <message>
        <source>Arabic</source>
        <translation>阿拉伯语</translation>
    </message>
    <message>
        <source>Dutch</source>
        <translation>荷兰语</translation>
    </message>
    <message>
        <source>Polish</source>
        <translation>波兰语</translation>
    </message>
    <message>
        <source>Turkish</source>
        <translation>土耳其语</translation>
    </message>
    <message>
        <source>Ukrainian</source>
        <translation>乌克兰语</translation>
    </message>
    <message>
        <source>Vietnamese</source>
        <translation>越南语</translation>
    </message>
    <message>
        <source>Thai</source>
        <translation>泰语</translation>
    </message>
    <message>
        <source>Indonesian</source>
        <translation>印度尼西亚语</translation>
    </message>
    <message>
        <source>Hindi</source>
        <translation>印地语</translation>
    </message>
    <message>
        <source>Swedish</source>
        <translation>瑞典语</translation>
    </message>
    <message>
        <source>Czech</source>
        <translation>捷克语</translation>
    </message>
    <message>
        <source>Greek</source>
        <translation>希腊语</translation>
    </message>
    <message>
        <source>Hebrew</source>
        <translation>希伯来语</translation>
    </message>
    <message>
        <source>Persian</source>
        <translation>波斯语</translation>
    </message>
    <message>
        <source>Romanian</source>
        <translation>罗马尼亚语</translation>
    </message>
    <message>
        <source>Hungarian</source>
        <translation>匈牙利语</translation>
    </message>
    <message>
        <source>Danish</source>
        <translation>丹麦语</translation>
    </message>
    <message>
        <source>Finnish</source>
        <translation>芬兰语</translation>
    </message>
    <message>
        <source>Norwegian</source>
        <translation>挪威语</translation>
    </message>
</context>
<context>
    <name>LanguagePicker</name>
    <message>
        <source>Detect language</source>
        <translation>自动检测语言</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>Chat</source>
        <translation>对话</translation>
    </message>
    <message>
        <source>Write</source>
        <translation>写作</translation>
    </message>
    <message>
        <source>Translate</source>
        <translation>翻译</translation>
    </message>
    <message>
        <source>Models</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>LLMasOS</source>
        <translation>LLMasOS</translation>
    </message>
    <message>
        <source>LLMasOS main window</source>
        <translation>LLMasOS 主窗口</translation>
    </message>
    <message>
        <source>The model opened last, {name}, is no longer in {folder}, so it was not loaded and was removed from the recent models. Open it from its new place, or pick another model.</source>
        <translation>上次打开的模型 {name} 已不在 {folder} 中，因此没有加载，并已从最近的模型中移除。请从它的新位置打开，或选择其他模型。</translation>
    </message>
    <message>
        <source>Tools</source>
        <translation>工具</translation>
    </message>
    <message>
        <source>Switch between Chat, Write, Translate, Knowledge, Models and Settings (Ctrl+1 to Ctrl+6)</source>
        <translation>在对话、写作、翻译、知识库、模型和设置之间切换（Ctrl+1 至 Ctrl+6）</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;New chat</source>
        <translation>新建对话(&amp;N)</translation>
    </message>
    <message>
        <source>&amp;Open a GGUF file…</source>
        <translation>打开 GGUF 文件(&amp;O)…</translation>
    </message>
    <message>
        <source>Open &amp;Recent</source>
        <translation>最近打开(&amp;R)</translation>
    </message>
    <message>
        <source>Load a model opened before</source>
        <translation>加载以前打开过的模型</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;Go</source>
        <translation>转到(&amp;G)</translation>
    </message>
    <message>
        <source>&amp;Window</source>
        <translation>窗口(&amp;W)</translation>
    </message>
    <message>
        <source>New {tool} window</source>
        <translation>新建“{tool}”窗口</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;Keyboard shortcuts</source>
        <translation>键盘快捷键(&amp;K)</translation>
    </message>
    <message>
        <source>&amp;About LLMasOS</source>
        <translation>关于 LLMasOS(&amp;A)</translation>
    </message>
    <message>
        <source>Open a GGUF model</source>
        <translation>打开 GGUF 模型</translation>
    </message>
    <message>
        <source>GGUF models (*.gguf);;All files (*)</source>
        <translation>GGUF 模型 (*.gguf);;所有文件 (*)</translation>
    </message>
    <message>
        <source>{name} is no longer in {folder}. It was removed from the recent models.</source>
        <translation>{name} 已不在 {folder} 中，已从最近的模型中移除。</translation>
    </message>
    <message>
        <source>Model not found</source>
        <translation>找不到模型</translation>
    </message>
    <message>
        <source>{name} (not found)</source>
        <translation>{name}（找不到）</translation>
    </message>
    <message>
        <source>No recent models</source>
        <translation>没有最近的模型</translation>
    </message>
    <message>
        <source>&amp;Clear the list</source>
        <translation>清除列表(&amp;C)</translation>
    </message>
    <message>
        <source>Forget the recent models (their files are kept)</source>
        <translation>清除最近的模型记录（文件本身保留）</translation>
    </message>
    <message>
        <source>Could not open {name}: {error}</source>
        <translation>无法打开 {name}：{error}</translation>
    </message>
    <message>
        <source>Could not open the model</source>
        <translation>无法打开模型</translation>
    </message>
    <message>
        <source>unavailable ({error})</source>
        <translation>不可用（{error}）</translation>
    </message>
    <message>
        <source>An offline assistant that runs a language model on this computer with llama.cpp.</source>
        <translation>一款离线助手，借助 llama.cpp 在本机运行语言模型。</translation>
    </message>
    <message>
        <source>llama.cpp backend: {backend}</source>
        <translation>llama.cpp 后端：{backend}</translation>
    </message>
    <message>
        <source>Data folder (models, conversations): {folder}</source>
        <translation>数据文件夹（模型、对话）：{folder}</translation>
    </message>
    <message>
        <source>Bundled libraries and their licences:</source>
        <translation>内置的库及其许可证：</translation>
    </message>
    <message>
        <source>The models you download keep their own licences; the catalog shows each one (Models → Get models).</source>
        <translation>你下载的模型遵循各自的许可证，目录中列出了每个模型的许可证（模型 → 获取模型）。</translation>
    </message>
    <message>
        <source>About LLMasOS</source>
        <translation>关于 LLMasOS</translation>
    </message>
    <message>
        <source>Knowledge</source>
        <translation>知识库</translation>
    </message>
</context>
<context>
    <name>MarkdownBrowser</name>
    <message>
        <source>Copy code</source>
        <translation>复制代码</translation>
    </message>
</context>
<context>
    <name>MessageView</name>
    <message>
        <source>Conversation</source>
        <translation>对话</translation>
    </message>
    <message>
        <source>Earlier messages are left out: they no longer fit the model&apos;s context.</source>
        <translation>较早的消息已被略去：模型的上下文已容纳不下。</translation>
    </message>
    <message>
        <source>Context cut</source>
        <translation>上下文截断处</translation>
    </message>
    <message>
        <source>{role}: {text}</source>
        <translation>{role}：{text}</translation>
    </message>
</context>
<context>
    <name>MessageWidget</name>
    <message>
        <source>You</source>
        <translation>你</translation>
    </message>
    <message>
        <source>Assistant</source>
        <translation>助手</translation>
    </message>
    <message>
        <source>System</source>
        <translation>系统</translation>
    </message>
    <message>
        <source>stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>interrupted</source>
        <translation>已中断</translation>
    </message>
    <message>
        <source>This answer was interrupted when LLMasOS closed unexpectedly.</source>
        <translation>LLMasOS 意外关闭，这条回答未能写完。</translation>
    </message>
    <message>
        <source>{n} tokens · {tps:.1f} tokens/s · first token {ttft:.2f} s</source>
        <translation>{n} 个词元 · 每秒 {tps:.1f} 个词元 · 首个词元 {ttft:.2f} 秒</translation>
    </message>
    <message>
        <source>{role} message</source>
        <translation>{role}的消息</translation>
    </message>
    <message>
        <source>Copy message</source>
        <translation>复制消息</translation>
    </message>
    <message>
        <source>Edit and resend</source>
        <translation>编辑并重新发送</translation>
    </message>
    <message>
        <source>{name} ({note})</source>
        <translation>{name}（{note}）</translation>
    </message>
    <message>
        <source>Regenerate this answer</source>
        <translation>重新生成这条回答</translation>
    </message>
</context>
<context>
    <name>ModelsPage</name>
    <message>
        <source>fits</source>
        <translation>合适</translation>
    </message>
    <message>
        <source>tight</source>
        <translation>勉强</translation>
    </message>
    <message>
        <source>too big</source>
        <translation>过大</translation>
    </message>
    <message>
        <source>★ recommended</source>
        <translation>★ 推荐</translation>
    </message>
    <message>
        <source>{done} of {total} · {speed:.1f} MB/s · {eta} left</source>
        <translation>{done} / {total} · {speed:.1f} MB/s · 剩余 {eta}</translation>
    </message>
    <message>
        <source>Most downloaded</source>
        <translation>下载最多</translation>
    </message>
    <message>
        <source>Most liked</source>
        <translation>点赞最多</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>大小</translation>
    </message>
    <message>
        <source>Quantization</source>
        <translation>量化</translation>
    </message>
    <message>
        <source>Context</source>
        <translation>上下文</translation>
    </message>
    <message>
        <source>In use</source>
        <translation>使用中</translation>
    </message>
    <message>
        <source>Default</source>
        <translation>默认</translation>
    </message>
    <message>
        <source>Origin</source>
        <translation>来源</translation>
    </message>
    <message>
        <source>Imported from {path}</source>
        <translation>导入自 {path}</translation>
    </message>
    <message>
        <source>Added by hand</source>
        <translation>手动添加</translation>
    </message>
    <message>
        <source>Where to find models</source>
        <translation>模型来源</translation>
    </message>
    <message>
        <source>&amp;Catalog</source>
        <translation>精选目录(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;Search the Hub</source>
        <translation>搜索 Hub(&amp;S)</translation>
    </message>
    <message>
        <source>Models sections</source>
        <translation>模型页面分区</translation>
    </message>
    <message>
        <source>Installed</source>
        <translation>已安装</translation>
    </message>
    <message>
        <source>Get models</source>
        <translation>获取模型</translation>
    </message>
    <message>
        <source>Downloads</source>
        <translation>下载</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>消息</translation>
    </message>
    <message>
        <source>&apos;{name}&apos; is already installed. Remove it first to download it again.</source>
        <translation>“{name}”已安装。如需重新下载，请先将其删除。</translation>
    </message>
    <message>
        <source>{name} is already in the download queue.</source>
        <translation>{name} 已在下载队列中。</translation>
    </message>
    <message>
        <source>Installed {name}. Select it under Installed and press Load.</source>
        <translation>已安装 {name}。请在“已安装”中选中它并点击“加载”。</translation>
    </message>
    <message>
        <source>Open a GGUF model</source>
        <translation>打开 GGUF 模型</translation>
    </message>
    <message>
        <source>GGUF models (*.gguf);;All files (*)</source>
        <translation>GGUF 模型 (*.gguf);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Downloads ({n})</source>
        <translation>下载（{n}）</translation>
    </message>
</context>
<context>
    <name>PassageList</name>
    <message>
        <source>page {n}</source>
        <translation>第 {n} 页</translation>
    </message>
    <message>
        <source>Passages found</source>
        <translation>找到的段落</translation>
    </message>
    <message>
        <source>[{rank}] {file}</source>
        <translation>[{rank}] {file}</translation>
    </message>
    <message>
        <source>score {score:.3f} · {collection}</source>
        <translation>得分 {score:.3f} · {collection}</translation>
    </message>
    <message>
        <source>{path}
Enter or double-click opens the file.</source>
        <translation>{path}
按 Enter 或双击打开文件。</translation>
    </message>
</context>
<context>
    <name>PersonaBox</name>
    <message>
        <source>Assistant</source>
        <translation>助手</translation>
    </message>
    <message>
        <source>Translator</source>
        <translation>翻译员</translation>
    </message>
    <message>
        <source>Coder</source>
        <translation>程序员</translation>
    </message>
    <message>
        <source>Tutor</source>
        <translation>辅导老师</translation>
    </message>
</context>
<context>
    <name>PortalScreenshot</name>
    <message>
        <source>The desktop&apos;s screenshot {path} cannot be read.</source>
        <translation>无法读取桌面的截图 {path}。</translation>
    </message>
    <message>
        <source>The desktop&apos;s screenshot was left in {path}.</source>
        <translation>桌面的截图保留在 {path}。</translation>
    </message>
</context>
<context>
    <name>QFileDialog</name>
    <message>
        <source>&amp;Look in:</source>
        <translation>查找范围(&amp;L)：</translation>
    </message>
    <message>
        <source>Files of &amp;type:</source>
        <translation>文件类型(&amp;T)：</translation>
    </message>
</context>
<context>
    <name>RegionPicker</name>
    <message>
        <source>Pick a screen region to recognize its text</source>
        <translation>选择一个屏幕区域以识别其中的文字</translation>
    </message>
</context>
<context>
    <name>Replacer</name>
    <message>
        <source>The window the text came from is gone or cannot take the focus; the answer was not pasted (Copy still works).</source>
        <translation>文字所在的窗口已关闭或无法获得焦点；回答没有粘贴过去（仍可复制）。</translation>
    </message>
    <message>
        <source>The other application did not take the text (it may not paste with {keys}). Copy the answer and paste it by hand.</source>
        <translation>另一个程序没有接收文字（它可能不用 {keys} 粘贴）。请复制回答后手动粘贴。</translation>
    </message>
</context>
<context>
    <name>SearchPanel</name>
    <message>
        <source>Search the Hub</source>
        <translation>搜索 Hub</translation>
    </message>
    <message>
        <source>Search the Hugging Face Hub, e.g. qwen2.5 instruct</source>
        <translation>搜索 Hugging Face Hub，例如 qwen2.5 instruct</translation>
    </message>
    <message>
        <source>Sort results by</source>
        <translation>结果排序方式</translation>
    </message>
    <message>
        <source>&amp;Search</source>
        <translation>搜索(&amp;S)</translation>
    </message>
    <message>
        <source>Search</source>
        <translation>搜索</translation>
    </message>
    <message>
        <source>Search results</source>
        <translation>搜索结果</translation>
    </message>
    <message>
        <source>Repository</source>
        <translation>仓库</translation>
    </message>
    <message>
        <source>Downloads</source>
        <translation>下载</translation>
    </message>
    <message>
        <source>Likes</source>
        <translation>点赞数</translation>
    </message>
    <message>
        <source>Access</source>
        <translation>访问权限</translation>
    </message>
    <message>
        <source>Searching the Hub</source>
        <translation>正在搜索 Hub</translation>
    </message>
    <message>
        <source>Search status</source>
        <translation>搜索状态</translation>
    </message>
    <message>
        <source>Show f&amp;iles</source>
        <translation>显示文件(&amp;I)</translation>
    </message>
    <message>
        <source>Show the files of the selected repository</source>
        <translation>显示所选仓库的文件</translation>
    </message>
    <message>
        <source>Type part of a model&apos;s name first.</source>
        <translation>请先输入模型名称的一部分。</translation>
    </message>
    <message>
        <source>Searching for “{query}”…</source>
        <translation>正在搜索“{query}”…</translation>
    </message>
    <message>
        <source>gated: needs a token</source>
        <translation>受限：需要令牌</translation>
    </message>
    <message>
        <source>open</source>
        <translation>公开</translation>
    </message>
    <message>
        <source>{n} repositories with GGUF files match “{query}”.</source>
        <translation>有 {n} 个包含 GGUF 文件的仓库与“{query}”匹配。</translation>
    </message>
    <message>
        <source>No GGUF repositories match “{query}”.</source>
        <translation>没有与“{query}”匹配的 GGUF 仓库。</translation>
    </message>
</context>
<context>
    <name>ServiceText</name>
    <message>
        <source>Missing from the translation: {items}</source>
        <translation>译文中缺少：{items}</translation>
    </message>
    <message>
        <source>Repeated in the translation: {items}</source>
        <translation>译文中重复出现：{items}</translation>
    </message>
    <message>
        <source>Numbers missing from the translation: {items}</source>
        <translation>译文中缺少数字：{items}</translation>
    </message>
    <message>
        <source>Emphasis (**…**) the model dropped was put back.</source>
        <translation>模型丢掉的强调标记（**…**）已放回。</translation>
    </message>
    <message>
        <source>Emphasis lost in the translation: {items}</source>
        <translation>译文丢失了强调：{items}</translation>
    </message>
    <message>
        <source>Left untranslated: {items}</source>
        <translation>未翻译：{items}</translation>
    </message>
    <message>
        <source>Glossary terms not used: {items}</source>
        <translation>未使用的术语：{items}</translation>
    </message>
    <message>
        <source>The model talked instead of translating.</source>
        <translation>模型在闲聊，而没有翻译。</translation>
    </message>
    <message>
        <source>Glossary: “{word}” was replaced by “{term}”.</source>
        <translation>术语表：“{word}”已替换为“{term}”。</translation>
    </message>
    <message>
        <source>Markdown line prefixes were put back as in the source.</source>
        <translation>已按原文放回 Markdown 行首标记。</translation>
    </message>
    <message>
        <source>A table row lost cells; check the table.</source>
        <translation>表格中有一行缺少单元格；请检查表格。</translation>
    </message>
    <message>
        <source>The translation has {output} lines where the source has {source}; line breaks and Markdown may not match.</source>
        <translation>译文有 {output} 行，而原文有 {source} 行；换行和 Markdown 格式可能对不上。</translation>
    </message>
    <message>
        <source>Protected items the model dropped were put back in place.</source>
        <translation>模型丢掉的受保护内容已放回原位。</translation>
    </message>
    <message>
        <source>The model joined lines; each line was translated on its own to keep them.</source>
        <translation>模型合并了若干行；为保留分行，已逐行单独翻译。</translation>
    </message>
    <message>
        <source>The model ran out of room; the end of a part may be missing.</source>
        <translation>模型的输出长度已用尽；某一部分的结尾可能缺失。</translation>
    </message>
    <message>
        <source>The translation looks like {found}, not {target}. Try again or use a larger model.</source>
        <translation>译文看起来是 {found}，而不是 {target}。请重试，或使用更大的模型。</translation>
    </message>
    <message>
        <source>A number changed in size: {source} ({was}) became {output} ({now}).</source>
        <translation>数值大小变了：{source}（{was}）变成了 {output}（{now}）。</translation>
    </message>
    <message>
        <source>The edit deletes words; check them in the changes: {words}.</source>
        <translation>此修改删除了一些词，请在修改中检查：{words}。</translation>
    </message>
    <message>
        <source>The model gave an empty answer.</source>
        <translation>模型的回答为空。</translation>
    </message>
    <message>
        <source>The model did not do the task; it answered: {answer}</source>
        <translation>模型没有完成任务，它回答：{answer}</translation>
    </message>
    <message>
        <source>The model repeated the text instead of doing {action}.</source>
        <translation>模型只是重复了原文，没有执行“{action}”。</translation>
    </message>
    <message>
        <source>The model&apos;s answer is far shorter than {action} allows ({got} characters for {source}); it looks unrelated.</source>
        <translation>模型的回答远短于“{action}”应有的长度（原文 {source} 个字符，回答 {got} 个），看起来与原文无关。</translation>
    </message>
    <message>
        <source>The model&apos;s answer is far longer than {action} allows ({got} characters for {source}); it looks unrelated.</source>
        <translation>模型的回答远长于“{action}”应有的长度（原文 {source} 个字符，回答 {got} 个），看起来与原文无关。</translation>
    </message>
    <message>
        <source>The model answered in another language.</source>
        <translation>模型用另一种语言作答。</translation>
    </message>
    <message>
        <source>The model&apos;s answer was cut off before it ended.</source>
        <translation>模型的回答在结束前被截断了。</translation>
    </message>
    <message>
        <source>Part {n}: {problem}</source>
        <translation>第 {n} 部分：{problem}</translation>
    </message>
</context>
<context>
    <name>SettingsForm</name>
    <message>
        <source>Model &amp;&amp; performance</source>
        <translation>模型与性能</translation>
    </message>
    <message>
        <source>Threads</source>
        <translation>线程数</translation>
    </message>
    <message>
        <source>Auto</source>
        <translation>自动</translation>
    </message>
    <message>
        <source>Context length</source>
        <translation>上下文长度</translation>
    </message>
    <message>
        <source>GPU layers</source>
        <translation>GPU 层数</translation>
    </message>
    <message>
        <source>Layers to run on the GPU. Auto: all of them when this build can use a GPU; -1: all; 0: CPU only.</source>
        <translation>在 GPU 上运行的层数。自动：当前版本能使用 GPU 时全部放到 GPU；-1：全部；0：仅用 CPU。</translation>
    </message>
    <message>
        <source>Batch size</source>
        <translation>批大小</translation>
    </message>
    <message>
        <source>&amp;Flash attention</source>
        <translation>Flash Attention(&amp;F)</translation>
    </message>
    <message>
        <source>Flash attention</source>
        <translation>Flash Attention</translation>
    </message>
    <message>
        <source>Faster attention with less memory, wherever llama.cpp supports it (CPUs, most GPUs).</source>
        <translation>在 llama.cpp 支持的设备上（CPU 和大多数 GPU）以更少内存更快地计算注意力。</translation>
    </message>
    <message>
        <source>T&amp;hreads:</source>
        <translation>线程数(&amp;H)：</translation>
    </message>
    <message>
        <source>CPU threads for the model ({range}). Auto: every core this process may use (at most 16), minus the cores other programs keep busy, checked before each request.</source>
        <translation>模型使用的 CPU 线程数（{range}）。自动：本进程可用的全部核心（最多 16 个），减去其他程序正占用的核心，每次请求前重新检查。</translation>
    </message>
    <message>
        <source>&amp;Context length:</source>
        <translation>上下文长度(&amp;C)：</translation>
    </message>
    <message>
        <source>Tokens the model can keep in mind ({range}). More uses more memory; it is capped at what the model was trained for.</source>
        <translation>模型能记住的词元数（{range}）。越大占用内存越多，且不会超过模型训练时的长度。</translation>
    </message>
    <message>
        <source>&amp;GPU layers:</source>
        <translation>GPU 层数(&amp;G)：</translation>
    </message>
    <message>
        <source>&amp;Batch size:</source>
        <translation>批大小(&amp;B)：</translation>
    </message>
    <message>
        <source>Prompt tokens evaluated per step ({range}).</source>
        <translation>每步处理的提示词元数（{range}）。</translation>
    </message>
    <message>
        <source>Default sampling</source>
        <translation>默认采样</translation>
    </message>
    <message>
        <source>Temperature</source>
        <translation>温度</translation>
    </message>
    <message>
        <source>Top-p</source>
        <translation>Top-p</translation>
    </message>
    <message>
        <source>Top-k</source>
        <translation>Top-k</translation>
    </message>
    <message>
        <source>Min-p</source>
        <translation>Min-p</translation>
    </message>
    <message>
        <source>Repeat penalty</source>
        <translation>重复惩罚</translation>
    </message>
    <message>
        <source>Seed</source>
        <translation>种子</translation>
    </message>
    <message>
        <source>Random: a new seed each time. A number gives the same answer to the same prompt.</source>
        <translation>随机：每次使用新的种子。填写数字则相同的提示总是得到相同的回答。</translation>
    </message>
    <message>
        <source>Random</source>
        <translation>随机</translation>
    </message>
    <message>
        <source>Max tokens</source>
        <translation>最大词元数</translation>
    </message>
    <message>
        <source>Te&amp;mperature:</source>
        <translation>温度(&amp;M)：</translation>
    </message>
    <message>
        <source>Randomness ({range}). 0 always picks the likeliest word.</source>
        <translation>随机程度（{range}）。0 表示总是选择最可能的词。</translation>
    </message>
    <message>
        <source>Top-&amp;p:</source>
        <translation>Top-p(&amp;P)：</translation>
    </message>
    <message>
        <source>Sample only from the likeliest words that add up to this probability ({range}).</source>
        <translation>只从累计概率达到该值的最可能的词中采样（{range}）。</translation>
    </message>
    <message>
        <source>Top-&amp;k:</source>
        <translation>Top-k(&amp;K)：</translation>
    </message>
    <message>
        <source>Sample only from this many likeliest words ({range}; 0: no limit).</source>
        <translation>只从这么多个最可能的词中采样（{range}；0：不限制）。</translation>
    </message>
    <message>
        <source>M&amp;in-p:</source>
        <translation>Min-p(&amp;I)：</translation>
    </message>
    <message>
        <source>Drop words less likely than this share of the likeliest ({range}).</source>
        <translation>舍弃概率低于最可能词该比例的词（{range}）。</translation>
    </message>
    <message>
        <source>&amp;Repeat penalty:</source>
        <translation>重复惩罚(&amp;R)：</translation>
    </message>
    <message>
        <source>Above 1 discourages repeating words ({range}).</source>
        <translation>大于 1 时减少重复用词（{range}）。</translation>
    </message>
    <message>
        <source>&amp;Seed:</source>
        <translation>种子(&amp;S)：</translation>
    </message>
    <message>
        <source>Ma&amp;x tokens:</source>
        <translation>最大词元数(&amp;X)：</translation>
    </message>
    <message>
        <source>Longest answer, in tokens ({range}).</source>
        <translation>回答的最大长度，以词元计（{range}）。</translation>
    </message>
    <message>
        <source>Port to listen on ({range}).</source>
        <translation>监听的端口（{range}）。</translation>
    </message>
    <message>
        <source>Load the last model at start</source>
        <translation>启动时加载上次的模型</translation>
    </message>
    <message>
        <source>When the app starts with no model given and no default model, load the model opened last (File › Open Recent lists the others).</source>
        <translation>启动时若未指定模型且没有默认模型，则加载上次打开的模型（“文件 › 最近打开”列出其他模型）。</translation>
    </message>
    <message>
        <source>Appearance</source>
        <translation>外观</translation>
    </message>
    <message>
        <source>Theme</source>
        <translation>主题</translation>
    </message>
    <message>
        <source>Light, dark, or follow the system.</source>
        <translation>浅色、深色或跟随系统。</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <source>Language of menus and labels (after a restart).</source>
        <translation>菜单和标签使用的语言（重启后生效）。</translation>
    </message>
    <message>
        <source>E&amp;nter sends the message</source>
        <translation>按 Enter 发送消息(&amp;N)</translation>
    </message>
    <message>
        <source>Enter sends the message</source>
        <translation>按 Enter 发送消息</translation>
    </message>
    <message>
        <source>On: Enter sends and Shift+Enter starts a new line. Off: Ctrl+Enter sends.</source>
        <translation>开启：Enter 发送，Shift+Enter 换行。关闭：Ctrl+Enter 发送。</translation>
    </message>
    <message>
        <source>&amp;Theme:</source>
        <translation>主题(&amp;T)：</translation>
    </message>
    <message>
        <source>&amp;Language:</source>
        <translation>语言(&amp;L)：</translation>
    </message>
    <message>
        <source>Hugging Face Hub</source>
        <translation>Hugging Face Hub</translation>
    </message>
    <message>
        <source>Hub endpoint</source>
        <translation>Hub 端点</translation>
    </message>
    <message>
        <source>Address models are downloaded from; a mirror such as https://hf-mirror.com works too. Must be https:// (http:// only for this computer).</source>
        <translation>下载模型的地址；也可以使用镜像，例如 https://hf-mirror.com。必须以 https:// 开头（仅本机地址可用 http://）。</translation>
    </message>
    <message>
        <source>Only needed for gated or private models</source>
        <translation>仅受限或私有模型需要</translation>
    </message>
    <message>
        <source>Hub token</source>
        <translation>Hub 令牌</translation>
    </message>
    <message>
        <source>Your Hugging Face access token. It is saved unencrypted in the settings file, readable only by you.</source>
        <translation>你的 Hugging Face 访问令牌。以明文保存在设置文件中，只有你能读取。</translation>
    </message>
    <message>
        <source>&amp;Endpoint:</source>
        <translation>端点(&amp;E)：</translation>
    </message>
    <message>
        <source>T&amp;oken:</source>
        <translation>令牌(&amp;O)：</translation>
    </message>
    <message>
        <source>API server</source>
        <translation>API 服务器</translation>
    </message>
    <message>
        <source>Serve an OpenAI-compatible API to other programs</source>
        <translation>为其他程序提供 OpenAI 兼容的 API</translation>
    </message>
    <message>
        <source>Other programs on this computer can use the loaded model through http://127.0.0.1:PORT/v1. Their requests wait behind yours.</source>
        <translation>本机的其他程序可以通过 http://127.0.0.1:端口/v1 使用已加载的模型。它们的请求排在你的请求之后。</translation>
    </message>
    <message>
        <source>API address</source>
        <translation>API 地址</translation>
    </message>
    <message>
        <source>127.0.0.1: this computer only. 0.0.0.0 or another address lets other computers connect, and needs an API key.</source>
        <translation>127.0.0.1：仅限本机。0.0.0.0 或其他地址允许其他计算机连接，此时需要 API 密钥。</translation>
    </message>
    <message>
        <source>Everywhere (other applications)</source>
        <translation>随处可用（其他程序）</translation>
    </message>
    <message>
        <source>A system-wide shortcut: it works in any application (X11). Click, then press the keys; clear it for none.</source>
        <translation>全局快捷键：在任何程序中都有效（X11）。点击后按下按键；清空则不设快捷键。</translation>
    </message>
    <message>
        <source>Translate shortcut</source>
        <translation>翻译快捷键</translation>
    </message>
    <message>
        <source>Improve shortcut</source>
        <translation>改进快捷键</translation>
    </message>
    <message>
        <source>Ask shortcut</source>
        <translation>提问快捷键</translation>
    </message>
    <message>
        <source>OCR shortcut</source>
        <translation>文字识别快捷键</translation>
    </message>
    <message>
        <source>Translate into</source>
        <translation>翻译为</translation>
    </message>
    <message>
        <source>The language the translate shortcut translates into: a code such as zh.</source>
        <translation>翻译快捷键的目标语言：语言代码，例如 zh。</translation>
    </message>
    <message>
        <source>Keep running in the tray when the window closes</source>
        <translation>关闭窗口后在托盘中继续运行</translation>
    </message>
    <message>
        <source>Keep running in the tray</source>
        <translation>在托盘中继续运行</translation>
    </message>
    <message>
        <source>Closing the main window leaves LLMasOS in the system tray, so the shortcuts keep working. Quit from the tray menu.</source>
        <translation>关闭主窗口后 LLMasOS 留在系统托盘中，快捷键仍然有效。请从托盘菜单退出。</translation>
    </message>
    <message>
        <source>Shortcut problems</source>
        <translation>快捷键问题</translation>
    </message>
    <message>
        <source>Translate selection:</source>
        <translation>翻译选中文字：</translation>
    </message>
    <message>
        <source>Improve selection:</source>
        <translation>改进选中文字：</translation>
    </message>
    <message>
        <source>Ask box:</source>
        <translation>提问框：</translation>
    </message>
    <message>
        <source>OCR a screen region:</source>
        <translation>识别屏幕区域文字：</translation>
    </message>
    <message>
        <source>Translate into:</source>
        <translation>翻译为：</translation>
    </message>
    <message>
        <source>Knowledge (your documents)</source>
        <translation>知识库（你的文档）</translation>
    </message>
    <message>
        <source>None: full-text search only</source>
        <translation>无：仅全文搜索</translation>
    </message>
    <message>
        <source>Embedding model</source>
        <translation>嵌入模型</translation>
    </message>
    <message>
        <source>A GGUF embedding model (a file, or an installed model&apos;s name) that finds passages by meaning, also across Chinese and English. Changing it indexes your collections again in the background. Used by the Knowledge page, llmasos docs and ask, and the API server.</source>
        <translation>GGUF 嵌入模型（文件，或已安装模型的名称），按意思查找段落，中英文之间也可以。更换后会在后台重新索引你的文档集。知识库页面、llmasos docs 和 ask 以及 API 服务器都使用它。</translation>
    </message>
    <message>
        <source>Choose a file…</source>
        <translation>选择文件…</translation>
    </message>
    <message>
        <source>Choose an embedding model file</source>
        <translation>选择嵌入模型文件</translation>
    </message>
    <message>
        <source>Pick a .gguf embedding model, e.g. bge-m3 or multilingual-e5.</source>
        <translation>选择一个 .gguf 嵌入模型，例如 bge-m3 或 multilingual-e5。</translation>
    </message>
    <message>
        <source>Embedding model:</source>
        <translation>嵌入模型：</translation>
    </message>
    <message>
        <source>None: the file&apos;s usual program</source>
        <translation>无：用文件的默认程序打开</translation>
    </message>
    <message>
        <source>Editor command</source>
        <translation>编辑器命令</translation>
    </message>
    <message>
        <source>Opens a cited text, Markdown or code file at the cited line: {file} and {line} are filled in, e.g. code --goto {file}:{line} or gvim +{line} {file}.</source>
        <translation>在引用所在的行打开被引用的文本、Markdown 或代码文件：会填入 {file} 和 {line}，例如 code --goto {file}:{line} 或 gvim +{line} {file}。</translation>
    </message>
    <message>
        <source>Editor command:</source>
        <translation>编辑器命令：</translation>
    </message>
    <message>
        <source>Choose an embedding model</source>
        <translation>选择嵌入模型</translation>
    </message>
    <message>
        <source>GGUF models (*.gguf);;All files (*)</source>
        <translation>GGUF 模型 (*.gguf);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Clear the shortcut</source>
        <translation>清除快捷键</translation>
    </message>
    <message>
        <source>API port</source>
        <translation>API 端口</translation>
    </message>
    <message>
        <source>Optional on 127.0.0.1</source>
        <translation>在 127.0.0.1 上可不填</translation>
    </message>
    <message>
        <source>API key</source>
        <translation>API 密钥</translation>
    </message>
    <message>
        <source>Programs must send &apos;Authorization: Bearer KEY&apos;. Saved unencrypted in the settings file, readable only by you.</source>
        <translation>程序必须发送“Authorization: Bearer 密钥”。密钥以明文保存在设置文件中，只有你能读取。</translation>
    </message>
    <message>
        <source>None (browser pages cannot call the API)</source>
        <translation>无（网页无法调用 API）</translation>
    </message>
    <message>
        <source>Allowed web origins</source>
        <translation>允许的网页来源</translation>
    </message>
    <message>
        <source>Web pages allowed to call the API, separated by commas, e.g. http://localhost:3000. Empty: none.</source>
        <translation>允许调用 API 的网页，用逗号分隔，例如 http://localhost:3000。留空：不允许。</translation>
    </message>
    <message>
        <source>Ser&amp;ve on:</source>
        <translation>服务地址(&amp;V)：</translation>
    </message>
    <message>
        <source>API ke&amp;y:</source>
        <translation>API 密钥(&amp;Y)：</translation>
    </message>
    <message>
        <source>&amp;Web origins:</source>
        <translation>网页来源(&amp;W)：</translation>
    </message>
    <message>
        <source>Remote engine</source>
        <translation>远程引擎</translation>
    </message>
    <message>
        <source>Empty: use the local model</source>
        <translation>留空：使用本地模型</translation>
    </message>
    <message>
        <source>Remote engine address</source>
        <translation>远程引擎地址</translation>
    </message>
    <message>
        <source>An OpenAI-compatible server to use instead of a local model (llama.cpp server, vLLM, Ollama, a gateway), e.g. http://192.168.1.5:8080/v1.</source>
        <translation>代替本地模型使用的 OpenAI 兼容服务器（llama.cpp server、vLLM、Ollama 或网关），例如 http://192.168.1.5:8080/v1。</translation>
    </message>
    <message>
        <source>Key, if the server needs one</source>
        <translation>密钥（如果服务器需要）</translation>
    </message>
    <message>
        <source>Remote engine key</source>
        <translation>远程引擎密钥</translation>
    </message>
    <message>
        <source>The server&apos;s API key. Saved unencrypted in the settings file, readable only by you.</source>
        <translation>服务器的 API 密钥。以明文保存在设置文件中，只有你能读取。</translation>
    </message>
    <message>
        <source>Empty: the server&apos;s first model</source>
        <translation>留空：使用服务器的第一个模型</translation>
    </message>
    <message>
        <source>Remote model</source>
        <translation>远程模型</translation>
    </message>
    <message>
        <source>The server&apos;s model to use.</source>
        <translation>要使用的服务器模型。</translation>
    </message>
    <message>
        <source>Server address (&amp;URL):</source>
        <translation>服务器地址（&amp;URL）：</translation>
    </message>
    <message>
        <source>Model to re&amp;quest:</source>
        <translation>请求的模型(&amp;Q)：</translation>
    </message>
</context>
<context>
    <name>SettingsPage</name>
    <message>
        <source>Same as the system</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>浅色</translation>
    </message>
    <message>
        <source>Dark</source>
        <translation>深色</translation>
    </message>
    <message>
        <source>The model will reload with the new settings.</source>
        <translation>模型将以新设置重新加载。</translation>
    </message>
    <message>
        <source>Restart LLMasOS to change the language.</source>
        <translation>重启 LLMasOS 以切换语言。</translation>
    </message>
    <message>
        <source>Error</source>
        <translation>错误</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Restore &amp;defaults</source>
        <translation>恢复默认值(&amp;D)</translation>
    </message>
    <message>
        <source>Restore defaults</source>
        <translation>恢复默认值</translation>
    </message>
    <message>
        <source>Put every setting back to its default (your Hub token is kept). Click Apply to save.</source>
        <translation>将所有设置恢复为默认值（保留 Hub 令牌）。点击“应用”保存。</translation>
    </message>
    <message>
        <source>&amp;Apply</source>
        <translation>应用(&amp;A)</translation>
    </message>
    <message>
        <source>Apply</source>
        <translation>应用</translation>
    </message>
    <message>
        <source>Check and save the settings (Ctrl+S).</source>
        <translation>检查并保存设置（Ctrl+S）。</translation>
    </message>
    <message>
        <source>Defaults restored. Click Apply to save them.</source>
        <translation>已恢复默认值。点击“应用”保存。</translation>
    </message>
    <message>
        <source>The settings could not be saved to {path} ({error}). Check that the folder is writable.</source>
        <translation>无法将设置保存到 {path}（{error}）。请检查该文件夹是否可写。</translation>
    </message>
    <message>
        <source>Settings saved.</source>
        <translation>设置已保存。</translation>
    </message>
</context>
<context>
    <name>Shortcuts</name>
    <message>
        <source>Chat, Write, Translate, Knowledge, Models, Settings</source>
        <translation>对话、写作、翻译、知识库、模型、设置</translation>
    </message>
    <message>
        <source>a new Chat, Write, Translate or Knowledge window</source>
        <translation>新建对话、写作、翻译或知识库窗口</translation>
    </message>
    <message>
        <source>a new chat</source>
        <translation>新建对话</translation>
    </message>
    <message>
        <source>send the message / start a new line (Chat; swapped when “Enter sends” is off)</source>
        <translation>发送消息 / 换行（对话；关闭“按 Enter 发送”时二者互换）</translation>
    </message>
    <message>
        <source>send / run / translate</source>
        <translation>发送 / 运行 / 翻译</translation>
    </message>
    <message>
        <source>stop the current answer (the text so far is kept)</source>
        <translation>停止当前回答（保留已生成的文本）</translation>
    </message>
    <message>
        <source>documents to answer from, with citations (Chat)</source>
        <translation>选择用于回答并附引用的文档（对话）</translation>
    </message>
    <message>
        <source>open a GGUF file</source>
        <translation>打开 GGUF 文件</translation>
    </message>
    <message>
        <source>swap languages (Translate)</source>
        <translation>交换语言（翻译）</translation>
    </message>
    <message>
        <source>accept / reject all changes (Write)</source>
        <translation>接受 / 拒绝全部修改（写作）</translation>
    </message>
    <message>
        <source>pick a writing action (Write)</source>
        <translation>选择写作操作（写作）</translation>
    </message>
    <message>
        <source>run the writing action on the clipboard (Write)</source>
        <translation>对剪贴板内容运行写作操作（写作）</translation>
    </message>
    <message>
        <source>apply settings (on the Settings page)</source>
        <translation>应用设置（在设置页面）</translation>
    </message>
    <message>
        <source>search box / re-index / remove the collection chosen (Knowledge)</source>
        <translation>搜索框 / 重新索引 / 移除所选文档集（知识库）</translation>
    </message>
    <message>
        <source>press that button or go to that field</source>
        <translation>按下该按钮或跳到该输入框</translation>
    </message>
    <message>
        <source>next / previous control</source>
        <translation>下一个 / 上一个控件</translation>
    </message>
    <message>
        <source>this list of keyboard shortcuts</source>
        <translation>显示本快捷键列表</translation>
    </message>
    <message>
        <source>quit (running work is cancelled, the model unloaded)</source>
        <translation>退出（取消进行中的任务并卸载模型）</translation>
    </message>
    <message>
        <source>ask a question of your documents (Knowledge)</source>
        <translation>就你的文档提问（知识库）</translation>
    </message>
    <message>
        <source>find in the conversation / next / previous match (Chat)</source>
        <translation>在对话中查找 / 下一个 / 上一个匹配（聊天）</translation>
    </message>
</context>
<context>
    <name>ShortcutsDialog</name>
    <message>
        <source>Keyboard shortcuts</source>
        <translation>键盘快捷键</translation>
    </message>
    <message>
        <source>Keys</source>
        <translation>按键</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>操作</translation>
    </message>
</context>
<context>
    <name>SourceOpener</name>
    <message>
        <source>{file} is no longer there (moved or deleted). Re-index the collection on the Knowledge page (F5) to bring the index up to date.</source>
        <translation>{file} 已不在原处（被移动或删除）。请在知识库页面重新索引该集合（F5）以更新索引。</translation>
    </message>
    <message>
        <source>Opened {name} at its start: your PDF viewer cannot be told the page (page {page}).</source>
        <translation>已从开头打开 {name}：无法让你的 PDF 阅读器跳到该页（第 {page} 页）。</translation>
    </message>
    <message>
        <source>{program} could not be started; check the command in Settings › Knowledge.</source>
        <translation>无法启动 {program}；请检查“设置 › 知识库”中的命令。</translation>
    </message>
    <message>
        <source>No program opens {name} on this computer.</source>
        <translation>这台电脑上没有能打开 {name} 的程序。</translation>
    </message>
</context>
<context>
    <name>SourcesView</name>
    <message>
        <source>page {page}</source>
        <translation>第 {page} 页</translation>
    </message>
    <message>
        <source>Sources</source>
        <translation>来源</translation>
    </message>
    <message>
        <source>Cited passage</source>
        <translation>引用的段落</translation>
    </message>
    <message>
        <source>Opening the source</source>
        <translation>打开来源</translation>
    </message>
    <message>
        <source>Sources:</source>
        <translation>来源：</translation>
    </message>
    <message>
        <source>Open {name} at page {page}</source>
        <translation>在第 {page} 页打开 {name}</translation>
    </message>
    <message>
        <source>Open {name}</source>
        <translation>打开 {name}</translation>
    </message>
    <message>
        <source>⚠ The cited passage does not contain {amounts}.</source>
        <translation>⚠ 所引用的段落中没有 {amounts}。</translation>
    </message>
    <message>
        <source>⚠ The cited passage does not contain the amounts given for it.</source>
        <translation>⚠ 所引用的段落中没有回答为它给出的数额。</translation>
    </message>
    <message>
        <source>Unsupported citations</source>
        <translation>无依据的引用</translation>
    </message>
</context>
<context>
    <name>StatusBar</name>
    <message>
        <source>Loaded model</source>
        <translation>已加载的模型</translation>
    </message>
    <message>
        <source>Device</source>
        <translation>设备</translation>
    </message>
    <message>
        <source>Context length</source>
        <translation>上下文长度</translation>
    </message>
    <message>
        <source>Memory in use</source>
        <translation>内存占用</translation>
    </message>
    <message>
        <source>Speed of the last generation</source>
        <translation>上次生成的速度</translation>
    </message>
    <message>
        <source>What LLMasOS turned off to run the model</source>
        <translation>LLMasOS 为运行模型而关闭的功能</translation>
    </message>
    <message>
        <source>Busy</source>
        <translation>忙碌</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>Stop all generation</source>
        <translation>停止所有生成</translation>
    </message>
    <message>
        <source>Stop everything the windows asked the model for; the text so far is kept</source>
        <translation>停止所有窗口向模型发出的请求；已生成的文本会保留</translation>
    </message>
    <message>
        <source>Loading {path}…</source>
        <translation>正在加载 {path}…</translation>
    </message>
    <message>
        <source>Loading {path}… {percent} %</source>
        <translation>正在加载 {path}… {percent} %</translation>
    </message>
    <message>
        <source>No model loaded</source>
        <translation>未加载模型</translation>
    </message>
    <message>
        <source>{backend} (all layers on GPU)</source>
        <translation>{backend}（所有层在 GPU 上）</translation>
    </message>
    <message>
        <source>Context {n} tokens</source>
        <translation>上下文 {n} 个词元</translation>
    </message>
    <message>
        <source>llama.cpp crashes with this model on the GPU; LLMasOS runs it on the CPU (slower).</source>
        <translation>llama.cpp 在 GPU 上运行此模型时崩溃；LLMasOS 改在 CPU 上运行（较慢）。</translation>
    </message>
    <message>
        <source>llama.cpp&apos;s AMX acceleration crashes on this CPU; LLMasOS runs without it.</source>
        <translation>llama.cpp 的 AMX 加速在此 CPU 上会崩溃；LLMasOS 已不使用它运行。</translation>
    </message>
    <message>
        <source>llama.cpp&apos;s repacked CPU weights crash with this model on this CPU; LLMasOS runs without them.</source>
        <translation>llama.cpp 的 CPU 权重重排在此 CPU 上运行此模型时崩溃；LLMasOS 已不使用它运行。</translation>
    </message>
    <message>
        <source>Last: {tps:.1f} tokens/s</source>
        <translation>上次：每秒 {tps:.1f} 个词元</translation>
    </message>
    <message>
        <source>Memory {mb:.0f} MB</source>
        <translation>内存 {mb:.0f} MB</translation>
    </message>
</context>
<context>
    <name>SummaryPanel</name>
    <message>
        <source>Summary</source>
        <translation>摘要</translation>
    </message>
    <message>
        <source>Summaries and key points appear here.</source>
        <translation>摘要和要点显示在这里。</translation>
    </message>
    <message>
        <source>&amp;Copy</source>
        <translation>复制(&amp;C)</translation>
    </message>
    <message>
        <source>Copy the summary</source>
        <translation>复制摘要</translation>
    </message>
    <message>
        <source>&amp;Insert</source>
        <translation>插入(&amp;I)</translation>
    </message>
    <message>
        <source>Insert the summary into the text</source>
        <translation>将摘要插入正文</translation>
    </message>
</context>
<context>
    <name>Task</name>
    <message>
        <source>Something went wrong ({kind}: {error}). The details are in the log file.</source>
        <translation>出现了问题（{kind}：{error}）。详细信息已写入日志文件。</translation>
    </message>
</context>
<context>
    <name>ToolPage</name>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Writing…</source>
        <translation>正在生成…</translation>
    </message>
    <message>
        <source>Done: {n} tokens at {tps:.1f} tokens/s.</source>
        <translation>完成：{n} 个词元，每秒 {tps:.1f} 个。</translation>
    </message>
    <message>
        <source>Stopped. The text so far is kept.</source>
        <translation>已停止。已生成的文本会保留。</translation>
    </message>
</context>
<context>
    <name>ToolWindow</name>
    <message>
        <source>{tool} — LLMasOS</source>
        <translation>{tool} — LLMasOS</translation>
    </message>
</context>
<context>
    <name>TranslatePage</name>
    <message>
        <source>Default register</source>
        <translation>默认语体</translation>
    </message>
    <message>
        <source>Formal</source>
        <translation>正式</translation>
    </message>
    <message>
        <source>Informal</source>
        <translation>非正式</translation>
    </message>
    <message>
        <source>Source text</source>
        <translation>原文</translation>
    </message>
    <message>
        <source>Type or paste text to translate.</source>
        <translation>输入或粘贴要翻译的文本。</translation>
    </message>
    <message>
        <source>Translation</source>
        <translation>译文</translation>
    </message>
    <message>
        <source>The translation appears here.</source>
        <translation>译文显示在这里。</translation>
    </message>
    <message>
        <source>Source language</source>
        <translation>源语言</translation>
    </message>
    <message>
        <source>Target language</source>
        <translation>目标语言</translation>
    </message>
    <message>
        <source>Formality</source>
        <translation>语体</translation>
    </message>
    <message>
        <source>Detected language</source>
        <translation>检测到的语言</translation>
    </message>
    <message>
        <source>Translate as you t&amp;ype</source>
        <translation>边输入边翻译(&amp;Y)</translation>
    </message>
    <message>
        <source>Gl&amp;ossary…</source>
        <translation>术语表(&amp;O)…</translation>
    </message>
    <message>
        <source>Translate</source>
        <translation>翻译</translation>
    </message>
    <message>
        <source>T&amp;ranslate</source>
        <translation>翻译(&amp;R)</translation>
    </message>
    <message>
        <source>S&amp;top</source>
        <translation>停止(&amp;T)</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>Swap languages</source>
        <translation>交换语言</translation>
    </message>
    <message>
        <source>Swap languages (Ctrl+Shift+S)</source>
        <translation>交换语言（Ctrl+Shift+S）</translation>
    </message>
    <message>
        <source>&amp;Copy</source>
        <translation>复制(&amp;C)</translation>
    </message>
    <message>
        <source>Copy translation</source>
        <translation>复制译文</translation>
    </message>
    <message>
        <source>Translate c&amp;lipboard</source>
        <translation>翻译剪贴板(&amp;L)</translation>
    </message>
    <message>
        <source>Translate clipboard</source>
        <translation>翻译剪贴板</translation>
    </message>
    <message>
        <source>Glossary</source>
        <translation>术语表</translation>
    </message>
    <message>
        <source>History</source>
        <translation>历史记录</translation>
    </message>
    <message>
        <source>Hi&amp;story</source>
        <translation>历史记录(&amp;S)</translation>
    </message>
    <message>
        <source>Waiting for the model…</source>
        <translation>正在等待模型…</translation>
    </message>
    <message>
        <source>Translated part {n} of {total}…</source>
        <translation>已翻译第 {n} 部分，共 {total} 部分…</translation>
    </message>
    <message>
        <source>{status} Check: {problems}</source>
        <translation>{status} 请检查：{problems}</translation>
    </message>
    <message>
        <source>Copied the translation.</source>
        <translation>译文已复制。</translation>
    </message>
    <message>
        <source>Detected: {language} ({confidence:.0%})</source>
        <translation>检测结果：{language}（{confidence:.0%}）</translation>
    </message>
    <message>
        <source>Unsure ({confidence:.0%}); using {language}</source>
        <translation>不确定（{confidence:.0%}）；使用{language}</translation>
    </message>
</context>
<context>
    <name>Tray</name>
    <message>
        <source>LLMasOS tray menu</source>
        <translation>LLMasOS 托盘菜单</translation>
    </message>
    <message>
        <source>&amp;Translate selection</source>
        <translation>翻译选中文字(&amp;T)</translation>
    </message>
    <message>
        <source>&amp;Improve selection</source>
        <translation>改进选中文字(&amp;I)</translation>
    </message>
    <message>
        <source>&amp;Summarize selection</source>
        <translation>总结选中文字(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Explain selection</source>
        <translation>解释选中文字(&amp;E)</translation>
    </message>
    <message>
        <source>&amp;Ask…</source>
        <translation>提问(&amp;A)…</translation>
    </message>
    <message>
        <source>&amp;OCR a screen region…</source>
        <translation>识别屏幕区域文字(&amp;O)…</translation>
    </message>
    <message>
        <source>Screenshot t&amp;ranslate…</source>
        <translation>截图翻译(&amp;R)…</translation>
    </message>
    <message>
        <source>&amp;Last answer</source>
        <translation>上一个回答(&amp;L)</translation>
    </message>
    <message>
        <source>Show &amp;LLMasOS</source>
        <translation>显示 LLMasOS(&amp;L)</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>LLMasOS</source>
        <translation>LLMasOS</translation>
    </message>
    <message>
        <source>LLMasOS is still running</source>
        <translation>LLMasOS 仍在运行</translation>
    </message>
    <message>
        <source>It stays in the tray so the shortcuts keep working. Quit from the tray menu, or turn this off in Settings › Everywhere.</source>
        <translation>它留在托盘中，快捷键仍然有效。请从托盘菜单退出，或在 设置 › 随处可用 中关闭此功能。</translation>
    </message>
</context>
<context>
    <name>WelcomePage</name>
    <message>
        <source>~{n} tok/s</source>
        <translation>约 {n} 词元/秒</translation>
    </message>
    <message>
        <source>Estimated answer speed on this computer, from its memory bandwidth and the model&apos;s size, corrected by the speed of models run here; pleasant from {n} tokens/s.</source>
        <translation>在这台电脑上估计的回答速度：由内存带宽和模型大小算出，并按本机实际运行过的模型速度校正；每秒 {n} 个词元以上即为流畅。</translation>
    </message>
    <message>
        <source>Welcome to LLMasOS</source>
        <translation>欢迎使用 LLMasOS</translation>
    </message>
    <message>
        <source>LLMasOS runs a language model on this computer. Nothing you write leaves it. To start, get a model:</source>
        <translation>LLMasOS 在本机运行语言模型，你写下的任何内容都不会离开这台电脑。开始之前，请先获取一个模型：</translation>
    </message>
    <message>
        <source>Recommended model</source>
        <translation>推荐的模型</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>消息</translation>
    </message>
    <message>
        <source>&amp;Download a model…</source>
        <translation>下载模型(&amp;D)…</translation>
    </message>
    <message>
        <source>Download a model</source>
        <translation>下载模型</translation>
    </message>
    <message>
        <source>Go to Models → Get models</source>
        <translation>转到“模型 → 获取模型”</translation>
    </message>
    <message>
        <source>&amp;Open a GGUF file…</source>
        <translation>打开 GGUF 文件(&amp;O)…</translation>
    </message>
    <message>
        <source>Open a GGUF file</source>
        <translation>打开 GGUF 文件</translation>
    </message>
    <message>
        <source>Recent models</source>
        <translation>最近的模型</translation>
    </message>
    <message>
        <source>Models opened before; Enter or a click loads the selected one</source>
        <translation>以前打开过的模型；按 Enter 键或单击即可加载所选模型</translation>
    </message>
    <message>
        <source>Recent &amp;models:</source>
        <translation>最近的模型(&amp;M)：</translation>
    </message>
    <message>
        <source>{name} — {folder}</source>
        <translation>{name} — {folder}</translation>
    </message>
    <message>
        <source>{name} — not found</source>
        <translation>{name} — 找不到</translation>
    </message>
    <message>
        <source>{path} is no longer there</source>
        <translation>{path} 已不存在</translation>
    </message>
    <message>
        <source>This computer has little free memory; pick the smallest model you can find.</source>
        <translation>这台电脑的可用内存很少，请选择尽可能小的模型。</translation>
    </message>
    <message>
        <source>Recommended for this computer ({free:.1f} GB free): &lt;b&gt;{repo}&lt;/b&gt; ({quant}, {params:g}B, {speed}) — {description}</source>
        <translation>推荐给这台电脑（可用内存 {free:.1f} GB）：&lt;b&gt;{repo}&lt;/b&gt;（{quant}，{params:g}B，{speed}）— {description}</translation>
    </message>
    <message>
        <source>Recommended for this computer ({free:.1f} GB free): &lt;b&gt;{repo}&lt;/b&gt; ({quant}, {params:g}B) — {description}</source>
        <translation>推荐给这台电脑（可用内存 {free:.1f} GB）：&lt;b&gt;{repo}&lt;/b&gt;（{quant}，{params:g}B）— {description}</translation>
    </message>
</context>
<context>
    <name>WritePage</name>
    <message>
        <source>{status} The edit deletes words (marked ⚠): {words}.</source>
        <translation>{status} 此次修改删除了词语（标有 ⚠）：{words}。</translation>
    </message>
    <message>
        <source>Text</source>
        <translation>正文</translation>
    </message>
    <message>
        <source>Type or paste your text. Select a part to work on that part only. Ctrl+Enter runs the action, Esc stops.</source>
        <translation>输入或粘贴文本。选中一部分则只处理该部分。Ctrl+Enter 运行操作，Esc 停止。</translation>
    </message>
    <message>
        <source>Preview</source>
        <translation>预览</translation>
    </message>
    <message>
        <source>The answer streams here.</source>
        <translation>回答会逐步显示在这里。</translation>
    </message>
    <message>
        <source>Markdown preview</source>
        <translation>Markdown 预览</translation>
    </message>
    <message>
        <source>&amp;Preview</source>
        <translation>预览(&amp;P)</translation>
    </message>
    <message>
        <source>Cha&amp;nges</source>
        <translation>修改(&amp;N)</translation>
    </message>
    <message>
        <source>&amp;Summary</source>
        <translation>摘要(&amp;S)</translation>
    </message>
    <message>
        <source>H&amp;istory</source>
        <translation>历史(&amp;I)</translation>
    </message>
    <message>
        <source>&amp;Markdown</source>
        <translation>Markdown(&amp;M)</translation>
    </message>
    <message>
        <source>Result views</source>
        <translation>结果视图</translation>
    </message>
    <message>
        <source>Writing action</source>
        <translation>写作操作</translation>
    </message>
    <message>
        <source>Tone</source>
        <translation>语气</translation>
    </message>
    <message>
        <source>Custom instruction</source>
        <translation>自定义指令</translation>
    </message>
    <message>
        <source>Your instruction, e.g. Turn this into a polite email</source>
        <translation>你的指令，例如：把这段话改成一封礼貌的邮件</translation>
    </message>
    <message>
        <source>&amp;Run</source>
        <translation>运行(&amp;R)</translation>
    </message>
    <message>
        <source>Run the action</source>
        <translation>运行操作</translation>
    </message>
    <message>
        <source>S&amp;top</source>
        <translation>停止(&amp;T)</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>Process clip&amp;board</source>
        <translation>处理剪贴板(&amp;B)</translation>
    </message>
    <message>
        <source>Run the action on the clipboard</source>
        <translation>对剪贴板内容运行操作</translation>
    </message>
    <message>
        <source>There is no text to work on. Type or paste some first.</source>
        <translation>没有可处理的文本。请先输入或粘贴一些文本。</translation>
    </message>
    <message>
        <source>Type your instruction for Custom first.</source>
        <translation>请先为“自定义”输入指令。</translation>
    </message>
    <message>
        <source>Waiting for the model…</source>
        <translation>正在等待模型…</translation>
    </message>
    <message>
        <source>Working on part {n} of {total}…</source>
        <translation>正在处理第 {n} 部分，共 {total} 部分…</translation>
    </message>
    <message>
        <source>{problems} The text was not changed.</source>
        <translation>{problems} 文本未被修改。</translation>
    </message>
    <message>
        <source>{status} The result is on the clipboard.</source>
        <translation>{status} 结果已复制到剪贴板。</translation>
    </message>
    <message>
        <source>Proofread</source>
        <translation>校对</translation>
    </message>
    <message>
        <source>Rewrite</source>
        <translation>改写</translation>
    </message>
    <message>
        <source>Shorten</source>
        <translation>缩写</translation>
    </message>
    <message>
        <source>Expand</source>
        <translation>扩写</translation>
    </message>
    <message>
        <source>Summarize</source>
        <translation>摘要</translation>
    </message>
    <message>
        <source>Key points</source>
        <translation>要点</translation>
    </message>
    <message>
        <source>Continue writing</source>
        <translation>续写</translation>
    </message>
    <message>
        <source>Custom</source>
        <translation>自定义</translation>
    </message>
    <message>
        <source>Formal</source>
        <translation>正式</translation>
    </message>
    <message>
        <source>Friendly</source>
        <translation>友好</translation>
    </message>
    <message>
        <source>Concise</source>
        <translation>简洁</translation>
    </message>
    <message>
        <source>Confident</source>
        <translation>自信</translation>
    </message>
    <message>
        <source>Simple</source>
        <translation>浅显</translation>
    </message>
</context>
</TS>

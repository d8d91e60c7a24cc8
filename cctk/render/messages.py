"""Messages of the render package (templates, PDF, stamp, signature, verification)."""

from cctk.i18n import register

register({
    # repository and configuration
    "render.no_repo": ("not inside a cctk repository (no cctk.yaml in {path} or above); cd into one or run `cctk init`",
                       "不在 cctk 仓库内（{path} 及其上级目录中没有 cctk.yaml）；请进入仓库目录或运行 `cctk init`"),
    "render.no_contract": ("contract {code} not found (looked for contracts/*/{code}/contract.md)",
                           "未找到合同 {code}（查找 contracts/*/{code}/contract.md）"),
    "render.bad_contract": ("{path}: cannot read the contract record: {problems}",
                            "{path}：无法读取合同记录：{problems}"),
    "render.config": ("cctk.yaml: {field}: {problem}", "cctk.yaml：{field}：{problem}"),
    # templates
    "tpl.unknown": ("unknown template {id}; available: {available}", "未知模板 {id}；可用模板：{available}"),
    "tpl.meta": ("{file}: template metadata: {problem}", "{file}：模板元数据错误：{problem}"),
    "tpl.syntax": ("{file}:{line}: template syntax error: {problem}", "{file}:{line}：模板语法错误：{problem}"),
    "tpl.security": ("{file}:{line}: template refused by the sandbox (unsafe access): {problem}",
                     "{file}:{line}：模板被沙箱拒绝（不安全的访问）：{problem}"),
    "tpl.undefined": ("{file}:{line}: template uses an undefined value: {problem}",
                      "{file}:{line}：模板使用了未定义的值：{problem}"),
    "tpl.runtime": ("{file}:{line}: template error: {problem}", "{file}:{line}：模板运行错误：{problem}"),
    "tpl.var_missing": ("template {id}: variable {name} ({label}) is required", "模板 {id}：必须提供变量 {name}（{label}）"),
    "tpl.var_type": ("template {id}: variable {name} must be {type}, got {value!r}",
                     "模板 {id}：变量 {name} 应为 {type}，实际为 {value!r}"),
    "tpl.var_option": ("template {id}: variable {name} must be one of {options}, got {value!r}",
                       "模板 {id}：变量 {name} 须为 {options} 之一，实际为 {value!r}"),
    "tpl.var_unknown": ("template {id}: unknown variable {name}; known: {known}",
                        "模板 {id}：未知变量 {name}；可用变量：{known}"),
    "tpl.field": ("template data: field {field}: {problem}", "模板数据：字段 {field}：{problem}"),
    "tpl.no_template": ("contract {code} names no template (field template:)", "合同 {code} 未注明所用模板（template: 字段）"),
    "tpl.same": ("text matches template {template}", "文本与模板 {template} 一致"),
    "tpl.deviates": ("text deviates from template {template}: {added} line(s) added, {removed} removed, {hunks} place(s)",
                     "文本与模板 {template} 不一致：增加 {added} 行，删除 {removed} 行，共 {hunks} 处"),
    # fonts and PDF
    "pdf.no_font": ("no Chinese (CJK) font found for PDF output. Install one, e.g. `sudo apt-get install fonts-noto-cjk` "
                    "(Debian/Ubuntu), `sudo dnf install google-noto-serif-cjk-fonts` (Fedora), or set pdf_font: in cctk.yaml "
                    "to a font family or a .ttf/.otf/.ttc file",
                    "找不到用于生成 PDF 的中文字体。请安装，例如 `sudo apt-get install fonts-noto-cjk`（Debian/Ubuntu）、"
                    "`sudo dnf install google-noto-serif-cjk-fonts`（Fedora），或在 cctk.yaml 中以 pdf_font: 指定字体名称或 "
                    ".ttf/.otf/.ttc 文件"),
    "pdf.font_missing": ("cctk.yaml: pdf_font: {font} not found", "cctk.yaml：pdf_font：找不到字体 {font}"),
    "pdf.layout": ("{file}: PDF layout error: {problem}", "{file}：PDF 版式错误：{problem}"),
    "pdf.corrupt": ("{file}: not a readable PDF ({problem})", "{file}：不是可读取的 PDF（{problem}）"),
    "pdf.encrypted": ("{file}: the PDF is encrypted (password protected); remove the protection first, e.g. "
                      "`qpdf --decrypt in.pdf out.pdf`, then file the decrypted copy",
                      "{file}：PDF 已加密（受密码保护）；请先解除保护，例如 `qpdf --decrypt in.pdf out.pdf`，再以解密后的文件备案"),
    "pdf.empty": ("{file}: the PDF has no pages", "{file}：PDF 没有页面"),
    "pdf.too_many_pages": ("{file}: {pages} pages, above the limit of {limit}", "{file}：共 {pages} 页，超过上限 {limit} 页"),
    # signing
    "sign.no_office": ("cctk.yaml has no filing_office: p12: … (the filing office's signing certificate); "
                       "`cctk init` creates a demo one", "cctk.yaml 未配置 filing_office: p12:（备案机关签名证书）；`cctk init` 可创建演示证书"),
    "sign.p12": ("{file}: cannot load the PKCS#12 certificate: {problem}", "{file}：无法载入 PKCS#12 证书：{problem}"),
    "sign.password": ("environment variable {env} (password of {file}) is not set", "环境变量 {env}（{file} 的密码）未设置"),
    "sign.failed": ("signing failed: {problem}", "签名失败：{problem}"),
    # verification
    "verify.valid": ("VALID: signed by {signer} on {when}; the whole document is covered and unchanged",
                     "有效：由 {signer} 于 {when} 签名；签名覆盖整个文件且未被改动"),
    "verify.invalid": ("INVALID", "无效"),
    "verify.not_signed": ("the PDF carries no digital signature (not a filed PDF from cctk)",
                          "该 PDF 没有数字签名（不是 cctk 生成的备案 PDF）"),
    "verify.altered": ("the signed content was altered after signing (changed bytes)", "签名后内容被改动（字节已变化）"),
    "verify.appended": ("content was added after signing ({level}): pages or data may have been replaced",
                        "签名后追加了内容（{level}）：页面或数据可能已被替换"),
    "verify.untrusted": ("the signer {signer} is not the configured filing office CA ({ca})",
                         "签名人 {signer} 不属于配置的备案机关 CA（{ca}）"),
    "verify.no_ca": ("no filing office CA configured (filing_office: ca:); the signer was not checked against it",
                     "未配置备案机关 CA（filing_office: ca:）；未核验签名人"),
    "verify.no_record": ("the PDF carries no embedded contract record", "该 PDF 未嵌入合同记录"),
    "verify.record_changed": ("the embedded record does not match its hash in the PDF metadata",
                              "嵌入的合同记录与 PDF 元数据中的哈希不一致"),
    "verify.record_ok": ("embedded record: {name} ({size} bytes), hash matches", "嵌入记录：{name}（{size} 字节），哈希一致"),
    "verify.filing": ("filing number {number}, contract {code}, content hash {sha}, commit {commit}",
                      "备案号 {number}，合同 {code}，内容哈希 {sha}，提交 {commit}"),
    "verify.repo_match": ("matches the repository's filing of {code}", "与仓库中 {code} 的备案记录一致"),
    "verify.repo_no_contract": ("the repository has no contract {code}", "仓库中没有合同 {code}"),
    "verify.repo_mismatch": ("does not match the repository's filing of {code}: {field} is {repo} in the repository, {pdf} in the PDF",
                             "与仓库中 {code} 的备案记录不一致：{field} 在仓库中为 {repo}，在 PDF 中为 {pdf}"),
    "verify.crypto": ("signature check failed: {problem}", "签名校验失败：{problem}"),
})

"""Messages of the filing package."""

from cctk.i18n import register

register({
    "filing.scan_changed": ("{path}: the signed scan differs from the sha256 recorded at signing ({sha}); "
                            "nothing was filed", "{path}：已签合同扫描件与签订时记录的 sha256（{sha}）不一致；未备案"),
    "filing.scan_bad": ("{problem}; the signed scan must be a readable, unencrypted PDF: nothing was signed",
                        "{problem}；合同扫描件须为可读取、未加密的 PDF：未签订"),
    "filing.scan_missing": ("{path}: the signed scan recorded at signing is missing; nothing was filed",
                            "{path}：签订时登记的合同扫描件不存在；未备案"),
    "filing.pdf_failed": ("{code}: the filed PDF could not be produced, nothing was filed: {problem}",
                          "{code}：无法生成备案 PDF，未备案：{problem}"),
    "filing.no_office_note": ("no filing_office: in cctk.yaml, so no signed filed PDF was made; set one up "
                              "(see docs/pdf.md; `cctk init` creates a demo CA)",
                              "cctk.yaml 未配置 filing_office:，因此未生成签名的备案 PDF；请配置（见 docs/pdf.md；"
                              "`cctk init` 可创建演示 CA）"),
    "filing.password_file": ("{file}: cannot read the certificate password: {problem}",
                             "{file}：无法读取证书密码：{problem}"),
    "filing.pki_created": ("created a self-signed district CA and a filing-office certificate in {dir} "
                           "(password: {where}). FOR DEMONSTRATION ONLY: real deployments use the certificate "
                           "issued by the district's CA (set filing_office: in cctk.yaml)",
                           "已在 {dir} 创建自签名区级 CA 与备案机关签名证书（密码：{where}）。仅供演示："
                           "正式部署请使用区 CA 签发的证书（在 cctk.yaml 的 filing_office: 中配置）"),
    "filing.password_generated": ("generated, stored in {file} (outside git; keep it secret, or set {env})",
                                  "已随机生成，保存在 {file}（不纳入 git；请妥善保管，或设置环境变量 {env}）"),
    "filing.password_env": ("from the environment variable {env}", "取自环境变量 {env}"),
    # verification (fast path)
    "fverify.valid": ("VALID: signed by {signer} on {when}; the whole document is covered and unchanged",
                      "有效：由 {signer} 于 {when} 签名；签名覆盖整个文件且未被改动"),
    "fverify.invalid": ("INVALID", "无效"),
    "fverify.not_signed": ("the PDF carries no digital signature (not a filed PDF from cctk)",
                           "该 PDF 没有数字签名（不是 cctk 生成的备案 PDF）"),
    "fverify.altered": ("the signed bytes were altered after signing (digest mismatch)",
                        "签名后文件字节被改动（摘要不一致）"),
    "fverify.bad_signature": ("the signature value does not verify with the signer's certificate",
                              "签名值无法用签名人证书验证"),
    "fverify.appended": ("{n} bytes were added after the signature (incremental update): pages or the embedded "
                         "record may have been replaced", "签名后追加了 {n} 字节（增量更新）：页面或嵌入记录可能已被替换"),
    "fverify.untrusted": ("the signer {signer} was not issued by the configured filing office CA ({ca})",
                          "签名人 {signer} 的证书不是由配置的备案机关 CA（{ca}）签发"),
    "fverify.expired": ("the signer's certificate was not valid at the signing time {when}",
                        "签名时间 {when} 不在签名人证书有效期内"),
    "fverify.trusted": ("the signer's certificate was issued by the configured filing office CA ({ca})",
                        "签名人证书由配置的备案机关 CA（{ca}）签发"),
    "fverify.no_repo": ("not run inside a cctk repository: not matched against a filing (run it in the repository)",
                        "不在 cctk 仓库内运行：未与备案记录核对（请在仓库目录内运行）"),
    "fverify.no_ca": ("no filing office CA configured (filing_office: ca:); the signer was not checked",
                      "未配置备案机关 CA（filing_office: ca:）；未核验签名人"),
    "fverify.crypto": ("the signature could not be read: {problem}", "无法读取签名：{problem}"),
    "fverify.no_record": ("the PDF carries no embedded contract record", "该 PDF 未嵌入合同记录"),
    "fverify.record_changed": ("the embedded record does not match the content hash in the PDF metadata",
                               "嵌入的合同记录与 PDF 元数据中的内容哈希不一致"),
    "fverify.record_ok": ("embedded record {name} ({size} bytes, sha256 {sha}) matches its hash in the metadata",
                          "嵌入记录 {name}（{size} 字节，sha256 {sha}）与元数据中的哈希一致"),
    "fverify.filing": ("filing number {number}, contract {code}, content hash {sha}, base commit {commit}",
                       "备案号 {number}，合同 {code}，内容哈希 {sha}，基准提交 {commit}"),
    "fverify.match": ("matches the filing of {code} in this repository ({path}, committed in {commit})",
                      "与本仓库中 {code} 的备案一致（{path}，提交 {commit}）"),
    "fverify.no_filing": ("no filing in this repository has this PDF (sha256 {sha}); it is not a filed PDF of this "
                          "repository, or it was altered", "本仓库中没有与此 PDF（sha256 {sha}）对应的备案；"
                          "它不是本仓库的备案 PDF，或已被改动"),
    "fverify.no_contract": ("the repository has no contract {code}", "仓库中没有合同 {code}"),
    "fverify.mismatch": ("does not match the repository's filing of {code}: {field} is {repo} in the repository, "
                         "{pdf} in the PDF", "与仓库中 {code} 的备案记录不一致：{field} 在仓库中为 {repo}，在 PDF 中为 {pdf}"),
    "fverify.no_pdf_sha": ("the filing of {code} records no pdf_sha256 (filed before filed PDFs); matched on "
                           "filing number and content hash only", "{code} 的备案记录没有 pdf_sha256（早于备案 PDF 功能）；"
                           "仅按备案号与内容哈希核对"),
    "fverify.commit": ("the base commit {commit} in the PDF is not the parent of the commit that filed it ({filed})",
                       "PDF 中的基准提交 {commit} 不是备案提交（{filed}）的父提交"),
    "fverify.not_git": ("not checked against git history: {problem}", "未与 git 历史核对：{problem}"),
    "fverify.unreadable": ("{file}: not a readable PDF ({problem})", "{file}：不是可读取的 PDF（{problem}）"),
})

"""Messages of the demo generator (zh/en)."""

from cctk.i18n import register

register({
    "demo.not_empty": ("{path} exists and is not empty; choose a new directory or empty it first.",
                       "{path} 已存在且非空；请指定新目录或先清空它。"),
    "demo.bad_pdfs": ("--pdfs must be none, recent or all (got {value}).", "--pdfs 只能是 none、recent 或 all（收到 {value}）。"),
    "demo.bad_count": ("--contracts must be at least 1 (got {value}).", "--contracts 至少为 1（收到 {value}）。"),
    "demo.git_failed": ("git failed while building the demo: {detail}", "构建演示仓库时 git 出错：{detail}"),
    "demo.progress": ("{phase}: {done}/{total}", "{phase}：{done}/{total}"),
    "demo.phase.plan": ("planning", "规划"),
    "demo.phase.commits": ("writing commits", "写入提交"),
    "demo.phase.checkout": ("checking out", "检出工作区"),
    "demo.summary.title": ("Demo repository built: {path}", "演示仓库已生成：{path}"),
    "demo.summary.seed": ("seed {seed}, as of {as_of}, history {history}", "随机种子 {seed}，基准日 {as_of}，历史模式 {history}"),
    "demo.summary.units": ("budget units: {n}, people: {people}", "预算单位：{n} 个，人员：{people} 人"),
    "demo.summary.suppliers": ("suppliers: {n}", "供应商：{n} 家"),
    "demo.summary.contracts": ("contracts: {n}, total amount ¥{amount}", "合同：{n} 份，合同总额 ¥{amount}"),
    "demo.summary.status": ("  {status}: {n}", "  {status}：{n}"),
    "demo.summary.commits": ("commits: {n} (HEAD {head})", "提交：{n} 个（HEAD {head}）"),
    "demo.summary.planted": ("planted problems ({n}, listed in .cctk/planted.yaml):",
                             "预置问题（{n} 个，见 .cctk/planted.yaml）："),
    "demo.summary.planted_item": ("  {contract}  {problem}", "  {contract}  {problem}"),
    "demo.summary.pdfs": ("filed PDFs: {pdfs} (signed and stamped, in the filing commits)",
                          "备案 PDF：{pdfs}（已签章、加盖备案水印，随备案提交）"),
    "demo.summary.time": ("built in {seconds:.1f} s", "用时 {seconds:.1f} 秒"),
    "demo.summary.next": ("Next, try:", "接下来可以试试："),
    "demo.tui_missing": ("(the TUI is not available; summary printed instead)", "（TUI 暂不可用，已改为输出摘要）"),
})

"""The review itself: segment, extract, then run the numeric/structural checks and the playbook's
pattern rules over each sentence. Pure function of (text, playbook, record amount)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from cctk.model.ids import credit_code_problem
from cctk.model.money import to_uppercase
from cctk.review import extract as X
from cctk.review import messages  # noqa: F401  (registers the catalog)
from cctk.review.finding import Finding
from cctk.review.playbook import Playbook
from cctk.review.segment import Document, Parties, Sentence, parties, segment

HUNDRED = Decimal(100)

# --- vocabulary (why hand-written: these are the closed sets of words contracts use) ------------
PRICE_RE = re.compile(r"总价|总金额|总价款|价款总额|合同价款|合同金额|合同价格|合同总额|总费用|费用总额|签约合同价|合同价|"
                      r"服务费总额|总报酬|租金总额|价款为|总计|共计|合计")
PERIODIC_RE = re.compile(r"每月|按月|月度|每季|按季|每个季度|每年|按年|每个?年度|按年度|每半年|每期|分\d+期|逐月|每周|每学期|每批")
PAY_VERB_RE = re.compile(r"支付|付款|付清|拨付|付至|结清|预留|留作|扣留|保留|预付款|首付款|定金|首期款|进度款|尾款|余款|质保金|质量保证金")
PAY_EXCLUDE_RE = re.compile(r"违约|逾期|滞纳|利息|利率|履约保证金|履约担保|保函|投标保证金|税率|增值税|罚|赔偿|退还|退回|返还")
BALANCE_RE = re.compile(r"剩余|余款|尾款|余下|其余|结清|付清|全部款项|余额")
ADVANCE_RE = re.compile(r"签订|签署|生效|预付|首付|定金|进场|开工|启动|备案|签约|订立|成立|合同签字")
AFTER_RE = re.compile(r"验收|交付|交货|到货|完成|竣工|上线|安装|调试|期满|结束|考核|试运行|运行|提交|成果|结算|审计|"
                      r"质保|保修|服务期|每月|届满|报告|出具|送达|培训结束")
MONEY_BASE_RE = re.compile(r"合同|总价|价款|金额|总额|费用|款项|服务费|货款|价格|报酬|租金|酬金|未付|应付|结算价|造价|合同价|[^评单]价的|剩余|余款|尾款|其余|余下|余额")
TRIGGER_RE = re.compile(r"验收|交付|交货|到货|发票|结算|完成|竣工|审计|提交|收到|送达|考核|服务期满|期满|上线|合格|结束|评估|评审|确认|核对")
BOND_RE = re.compile(r"履约保证金|履约担保|履约保函|履约金")
PENALTY_RE = re.compile(r"违约金|滞纳金|罚款|罚金|违约赔偿金|赔偿金|违约责任")
DAILY_RE = re.compile(r"(每|按)(逾期|迟延|延迟|延误|拖延|超期)?[一1壹]?(个)?(日|天|工作日|自然日)|日(万分之|千分之|百分之)|每日|每天|按日|日\s*[\d.]+\s*[%‰]")
WEEKLY_RE = re.compile(r"每(逾期|迟延|延迟|延误)?[一1]?(周|星期)")
MONTHLY_RE = re.compile(r"每(逾期|迟延|延迟|延误)?[一1]?个?月")
CAP_RE = re.compile(r"不超过|不超出|不高于|不得超过|最高|上限|为限|封顶|累计|总额|总计|最多")
LIAB_CAP_RE = re.compile(r"(赔偿|责任)[^。；]{0,12}(上限|总额|累计|最高|为限|不超过|不超出|封顶)|(上限|最高|累计)[^。；]{0,8}(赔偿|责任)")
MUTUAL_RE = re.compile(r"任何一方|双方|一方违约|违约方|守约方|各方|另一方|对方")
LIABILITY_RE = re.compile(r"违约金|赔偿|违约责任|承担[^。；]{0,8}责任|滞纳金|罚款|扣除|扣减|扣款|利息")
NEG_LIAB_RE = re.compile(r"不承担|不负|免除|无需承担|无须承担|概不负责|不予")
FORUM_RE = re.compile(r"仲裁|法院|诉讼|起诉|管辖")
FORUM_NAME_RE = re.compile(r"([\u4e00-\u9fa5]{2,14}?)(仲裁委员会|国际仲裁院|仲裁院|仲裁中心|人民法院|法院)")
ACCEPT_RE = re.compile(r"验收|考核|检验|检测|验证|查验|核验|评审|评估|签收确认")
CONF_RE = re.compile(r"保密|秘密|泄露|泄密|披露|信息安全|数据安全|不得(向第三方)?(提供|透露|公开)")
TERM_RE = re.compile(r"服务期|服务期限|合同期限|合同有效期|有效期|委托期限|聘期|聘用期|期限为|运维期|维保期|服务年限|托管期|服务周期|履行期限|合作期|顾问期|期限自|期限：")
TERM_EXCLUDE_RE = re.compile(r"质保|保修|租赁期|租期|保质|缺陷责任|保证期|有效期内|培训期")
DATE_RANGE_SEP_RE = re.compile(r"^\s*(起|开始)?\s*(至|到|—|－|-|~|～|止至|起至)\s*")
PLACEHOLDER_RE = re.compile(r"_{3,}|＿{2,}|(?<![A-Za-z])[Xx]{2,}(?![A-Za-z])|×{2,}|\*{3,}|【\s*】|\[\s*\]|（\s*）|\(\s*\)|"
                            r"待定|待确定|待补充|待填写?|【[^】\n]{1,16}】|(?<![A-Za-z\d])[Xx](?=[年月日天%％个元万期])")
PLACEHOLDER_LABEL_RE = re.compile(r"盖章|签字|签章|签名|日期|电话|手机|传真|邮编|邮箱|电子邮件|地址|开户|账号|账户|户名|"
                                  r"法定代表人|负责人|委托代理人|授权代表|联系人|经办人|代表|身份证|E-?mail", re.I)
CODE_LINE_RE = re.compile(r"信用代码|社会信用|纳税人识别号|税号|组织机构代码|代码")
CODE_RE = re.compile(r"(?<![0-9A-Za-z])[0-9A-Za-z]{18}(?![0-9A-Za-z])")
FOREIGN_PLACES = (
    "北京", "上海", "天津", "重庆", "广州", "东莞", "佛山", "珠海", "惠州", "中山", "江门", "汕头", "湛江", "杭州", "宁波",
    "温州", "南京", "苏州", "无锡", "常州", "合肥", "福州", "厦门", "泉州", "南昌", "济南", "青岛", "郑州", "武汉", "长沙",
    "成都", "贵阳", "昆明", "南宁", "海口", "三亚", "西安", "兰州", "西宁", "银川", "乌鲁木齐", "拉萨", "呼和浩特", "太原",
    "石家庄", "沈阳", "大连", "长春", "哈尔滨", "香港", "澳门", "台北", "新加坡", "河北", "山西", "辽宁", "吉林", "黑龙江",
    "江苏", "浙江", "安徽", "福建", "江西", "山东", "河南", "湖北", "湖南", "海南", "四川", "贵州", "云南", "陕西", "甘肃",
    "青海", "内蒙古", "广西", "西藏", "宁夏", "新疆", "雄安", "南沙", "前海", "横琴", "华南", "中国国际经济贸易",
)


class Review:
    """One review run over one text."""

    def __init__(self, text: str, playbook: Playbook, *, path: str = "", line_offset: int = 0,
                 amount: Decimal | None = None):
        self.pb = playbook
        self.path = path
        self.line_offset = line_offset
        self.doc: Document = segment(text)
        self.parties: Parties = parties(self.doc)
        self.buyer = "|".join(re.escape(w) for w in self.parties.buyer)
        self.supplier = "|".join(re.escape(w) for w in self.parties.supplier)
        self.buyer_re = re.compile(self.buyer)
        self.supplier_re = re.compile(self.supplier)
        self.kind = self._kind()
        self.findings: list[Finding] = []
        self.lines = text.split("\n")
        self.record_amount = amount
        self.total = amount if amount is not None else self._text_total()

    # --- helpers -------------------------------------------------------------------------
    def _kind(self) -> str:
        title = self.doc.title
        head = self.doc.text[:600]
        for source in (title, head):
            for kind, pattern in self.pb.kinds:
                if pattern.search(source):
                    return kind
        return "other"

    def add(self, category: str, s: Sentence | None, start: int = 0, *, key: str | None = None,
            args: dict | None = None, fix_args: dict | None = None, rule: str = "", line: int | None = None):
        if s is None:
            line_no, col, quote = (line or 1), 1, self.doc.title[:60]
        else:
            line_no, col = s.line, s.col + start
            quote = s.text if len(s.text) <= 120 else s.text[max(0, start - 40):start + 80]
        self.findings.append(Finding(
            category=category, severity=self.pb.severity(category), line=line_no + self.line_offset, col=col,
            quote=quote, message=key or f"review.{category}", args=args or {}, basis=self.pb.basis(category),
            suggestion=f"review.{category}.fix", suggestion_args=fix_args or {}, path=self.path,
            rule=rule or category))

    def _heading(self, s: Sentence) -> str:
        return self.doc.articles[s.article].heading

    def _text_total(self) -> Decimal | None:
        for s in self.doc.sentences:
            if not PRICE_RE.search(s.text) or PERIODIC_RE.search(s.text) or re.search(r"单价|每人|每平方|每台|每次", s.text):
                continue
            amounts = X.figure_amounts(s.text) or X.uppercase_amounts(s.text)
            if amounts:
                return amounts[0].value
        return None

    # --- run -----------------------------------------------------------------------------
    def run(self) -> list[Finding]:
        self.check_amount_words()
        self.check_payments()
        self.check_bond()
        self.check_penalty()
        self.check_liability()
        self.check_jurisdiction()
        self.check_missing()
        self.check_term()
        self.check_dates()
        self.check_placeholders()
        self.check_credit_codes()
        self.apply_rules()
        self.findings.sort(key=lambda f: (f.line, f.col, f.category))
        return self.findings

    # --- amounts -------------------------------------------------------------------------
    _GAP_RE = re.compile(r"^[\s（）()\[\]【】：:，,、即为是大写小写人民币金额RMB¥￥元整]*$")

    def check_amount_words(self):
        for s in self.doc.sentences:
            uppers = X.uppercase_amounts(s.text)
            if not uppers:
                continue
            figures = X.figure_amounts(s.text)
            for u in uppers:
                best = None
                for f in figures:
                    gap = s.text[f.end:u.start] if f.end <= u.start else s.text[u.end:f.start] if u.end <= f.start else None
                    if gap is None or len(gap) > 14 or not self._GAP_RE.match(gap):
                        continue
                    if best is None or len(gap) < best[0]:
                        best = (len(gap), f)
                if best and best[1].value != u.value:
                    f = best[1]
                    self.add("amount-words-mismatch", s, u.start, args={"words": u.text, "upper": f"{u.value:,.2f}",
                             "figure": f"{f.value:,.2f}"}, fix_args={"words": to_uppercase(f.value)})

    # --- payments ------------------------------------------------------------------------
    def _instalments(self):
        """(sentence, share%, amount, advance?, cumulative?, offset) for each payment instalment."""
        out = []
        balance = periodic = False
        for s in self.doc.sentences:
            text = s.text
            heading = self._heading(s)
            if not PAY_VERB_RE.search(text):
                continue
            in_payment = (re.search(r"付款|支付|结算|价款|费用|价格|金额|报酬|租金", heading) or re.search(r"支付|付款", text)
                          or re.search(r"支付|付款", self.lines[s.line - 1]))
            if not in_payment or BOND_RE.search(text):
                continue
            if PERIODIC_RE.search(text):
                periodic = True
                continue
            if re.search(r"违约|逾期|滞纳|罚|赔偿", text):
                continue
            pcts = [p for p in X.percentages(text) if self._price_share(text, p)]
            prev = 0
            if pcts:
                for p in pcts:
                    seg = text[prev:p.end]
                    if PAY_EXCLUDE_RE.search(seg) and not re.search(r"预付|首付|定金|质保金|质量保证金", seg):
                        prev = p.end
                        continue
                    ctx = text[max(0, prev - 40) if prev == 0 else prev:p.end]
                    cumulative = bool(re.search(r"(付|支付|累计|达到)至[^，,。；]{0,12}$", text[prev:p.start])) or "累计" in text[prev:p.start]
                    out.append((s, p.value, None, self._is_advance(ctx), cumulative, p.start))
                    prev = p.end
                continue
            if PAY_EXCLUDE_RE.search(text):
                continue
            amounts = X.figure_amounts(text) or X.uppercase_amounts(text)
            if amounts and not PRICE_RE.search(text):
                out.append((s, None, amounts[0].value, self._is_advance(text), False, amounts[0].start))
            elif BALANCE_RE.search(text):
                balance = True
        return out, balance, periodic

    def _price_share(self, text: str, p) -> bool:
        before = text[max(0, p.start - 14):p.start]
        after = text[p.end:p.end + 6]
        if re.search(r"税率|利率|费率|增值税|得分|考核分|合格率|满意度|不低于|以上", before):
            return False
        if re.search(r"^(的)?(违约金|保证金|利息|滞纳金)", after):
            return False
        return bool(MONEY_BASE_RE.search(before) or re.search(r"(支付|付|付至|预付|首付|预留|保留|扣留)\s*$", before)
                    or re.search(r"^(的)?(作为|为)?(预付款|首付款|定金|进度款|尾款|质保金|质量保证金|保修金|款项|货款)", after))

    @staticmethod
    def _is_advance(ctx: str) -> bool:
        if re.search(r"预付|首付|定金", ctx):
            return True
        return bool(ADVANCE_RE.search(ctx)) and not AFTER_RE.search(ctx)

    def check_payments(self):
        inst, balance, periodic = self._instalments()
        limit = self.pb.threshold("prepayment_max")
        earnest = self.pb.threshold("earnest_max")
        # schedule sum
        shares = [i for i in inst if i[1] is not None]
        if len(shares) >= 2 and not periodic:
            total = Decimal(0)
            for s, share, _a, _adv, cum, _o in shares:
                total = share if cum and share >= total else total + share
            if total > HUNDRED or (total < HUNDRED and not balance):
                s = shares[0][0]
                self.add("payment-schedule-sum", s, shares[0][5], args={"total": f"{total.normalize():f}%", "expected": "100%"})
        fixed = [i for i in inst if i[2] is not None]
        if len(fixed) >= 2 and not shares and not periodic and not balance and self.total:
            total = sum(i[2] for i in fixed)
            if total != self.total:
                self.add("payment-schedule-sum", fixed[0][0], fixed[0][5],
                         args={"total": f"{total:,.2f}", "expected": f"{self.total:,.2f}"})
        # advance payments
        adv = Decimal(0)
        first = None
        running = Decimal(0)
        for s, share, amount, advance, cum, off in inst:
            value = share if share is not None else (amount / self.total * HUNDRED if amount and self.total else None)
            if value is None:
                continue
            part = value - running if cum and value >= running else value
            running = value if cum else running + value
            if advance:
                adv += part
                first = first or (s, off)
        if adv > limit and first:
            self.add("prepayment-excessive", first[0], first[1], args={"share": f"{adv.normalize():f}", "limit": f"{limit.normalize():f}"},
                     fix_args={"limit": f"{limit.normalize():f}"}, rule="prepayment")
        # earnest money (定金) above 20%
        for s in self.doc.sentences:
            if "定金" not in s.text or adv > limit and first and first[0] is s:
                continue
            for p in X.percentages(s.text):
                if p.value > earnest and re.search(r"定金", s.text[max(0, p.start - 20):p.end + 6]):
                    self.add("prepayment-excessive", s, p.start, key="review.prepayment-earnest",
                             args={"share": f"{p.value.normalize():f}", "limit": f"{earnest.normalize():f}"},
                             fix_args={"limit": f"{earnest.normalize():f}"}, rule="earnest")
                    break
        self._payment_terms()

    _DUE_AFTER_RE = re.compile(r"^\s*(内|以内|之内|前|届满|后支付|支付|付清|付款|结清|拨付)")

    def _payment_terms(self):
        limit = self.pb.threshold("payment_days_max")
        for s in self.doc.sentences:
            text = s.text
            if not re.search(r"支付|付款|付清|结清|拨付|结算款|付至", text):
                continue
            if re.search(r"违约|逾期|滞纳|保证金|退还|返还|退回", text) and not re.search(r"支付[^。；]{0,10}(款|费)", text):
                continue
            heading = self._heading(s)
            if re.search(r"违约|保证金|争议", heading):
                continue
            for d in X.durations(text):
                if d.kind in ("年",) and d.value > 365:
                    continue
                if not self._DUE_AFTER_RE.match(text[d.end:d.end + 4]):
                    continue
                before = text[max(0, d.start - 40):d.start]
                if not TRIGGER_RE.search(before) or re.search(r"逾期|超过|超出|质保期|保修期|满\s*$", text[max(0, d.start - 6):d.start]):
                    continue
                days = X.calendar_days(d)
                if days > limit:
                    self.add("payment-term-late", s, d.start, args={"days": f"{days.quantize(Decimal(1))}", "limit": f"{limit}"},
                             rule="payment-days")
                    break

    # --- bond ----------------------------------------------------------------------------
    def check_bond(self):
        limit = self.pb.threshold("bond_max")
        for s in self.doc.sentences:
            text = s.text
            heading = self._heading(s)
            m = BOND_RE.search(text)
            if not m and not ("保证金" in text and "履约" in heading and not re.search(r"质量保证金|质保金|投标保证金", text)):
                continue
            parts = re.split(r"[，,：:]", text)
            idx = next((i for i, p in enumerate(parts) if BOND_RE.search(p) or "保证金" in p), 0)
            offset = sum(len(p) + 1 for p in parts[:idx])
            cands = []
            for j in (idx, idx + 1, idx - 1):
                if 0 <= j < len(parts):
                    part_off = sum(len(p) + 1 for p in parts[:j])
                    ps = [p for p in X.percentages(parts[j]) if not re.search(r"违约|利息|利率|扣除", parts[j][max(0, p.start - 8):p.start])]
                    if ps:
                        cands = [(p.value, part_off + p.start) for p in ps]
                        break
            if not cands and self.total:
                for j in (idx, idx + 1):
                    if 0 <= j < len(parts):
                        amts = X.figure_amounts(parts[j]) or X.uppercase_amounts(parts[j])
                        if amts:
                            part_off = sum(len(p) + 1 for p in parts[:j])
                            cands = [(amts[0].value / self.total * HUNDRED, part_off + amts[0].start)]
                            break
            for value, off in cands:
                if value > limit:
                    self.add("performance-bond-excessive", s, off, args={"share": f"{value.quantize(Decimal('0.01')).normalize():f}",
                             "limit": f"{limit.normalize():f}"}, fix_args={"limit": f"{limit.normalize():f}"})
                    break
            else:
                continue
            _ = offset

    # --- penalties -----------------------------------------------------------------------
    def check_penalty(self):
        limit = self.pb.threshold("penalty_max")
        daily_max = self.pb.threshold("daily_rate_max")
        for art in self.doc.articles:
            art_text = art.text
            for s in art.sentences:
                text = s.text
                if not PENALTY_RE.search(text) or BOND_RE.search(text) and "违约金" not in text:
                    continue
                parts = re.split(r"[，,]", text)
                pos = 0
                fired = False
                for i, part in enumerate(parts):
                    for p in X.percentages(part):
                        before = part[:p.start]
                        prev = parts[i - 1] if i else ""
                        if re.search(r"利率|LPR|得分|考核|合格率|满意度|不低于|达到|以上|履约保证金", before + part[p.end:p.end + 4]):
                            continue
                        if not (MONEY_BASE_RE.search(before) or re.search(r"^(的)?(违约金|滞纳金|罚款)", part[p.end:])):
                            continue
                        off = pos + p.start
                        if CAP_RE.search(before[-16:]):
                            if p.value > limit:
                                self.add("penalty-excessive", s, off, args={"share": f"{p.value.normalize():f}", "limit": f"{limit.normalize():f}"},
                                         rule="penalty-cap")
                                fired = True
                            continue
                        rate = None
                        if DAILY_RE.search(before) or DAILY_RE.search(prev[-14:]):
                            rate = p.value
                        elif WEEKLY_RE.search(before) or WEEKLY_RE.search(prev[-14:]):
                            rate = p.value / 7
                        elif MONTHLY_RE.search(before) or MONTHLY_RE.search(prev[-14:]):
                            rate = p.value / 30
                        if rate is not None:
                            capped = CAP_RE.search(text[off + len(p.text):]) or self._article_cap(art_text)
                            if rate > daily_max and not capped:
                                self.add("penalty-excessive", s, off, key="review.penalty-daily-uncapped",
                                         args={"rate": f"{rate.quantize(Decimal('0.001')).normalize():f}"}, rule="penalty-daily")
                                fired = True
                            continue
                        if p.value > limit and re.search(r"违约金|罚款|赔偿|罚金|滞纳金", text):
                            self.add("penalty-excessive", s, off, args={"share": f"{p.value.normalize():f}", "limit": f"{limit.normalize():f}"},
                                     rule="penalty-lump")
                            fired = True
                    if fired:
                        break
                    pos += len(part) + 1
                if not fired and self.total and "违约金" in text and not PERIODIC_RE.search(text):
                    for a in X.figure_amounts(text) or X.uppercase_amounts(text):
                        before = text[max(0, a.start - 12):a.start]
                        if CAP_RE.search(before) or DAILY_RE.search(text[max(0, a.start - 20):a.start]):
                            continue
                        share = a.value / self.total * HUNDRED
                        if share > limit:
                            self.add("penalty-excessive", s, a.start, args={"share": f"{share.quantize(Decimal('0.1')).normalize():f}",
                                     "limit": f"{limit.normalize():f}"}, rule="penalty-amount")
                            break

    @staticmethod
    def _article_cap(text: str) -> bool:
        return bool(re.search(r"(违约金|滞纳金|罚款|赔偿)[^。]{0,30}(不超过|不超出|不高于|不得超过|最高|上限|为限|封顶)|"
                              r"(不超过|不超出|最高|上限|封顶|为限)[^。]{0,20}(违约金|滞纳金)", text))

    # --- liability -----------------------------------------------------------------------
    def check_liability(self):
        min_cap = self.pb.threshold("liability_cap_min")
        buyer_liab = supplier_liab = mutual = 0
        first_buyer = None
        for s in self.doc.sentences:
            text = s.text
            heading = self._heading(s)
            # a trivial cap on the supplier's liability
            if LIAB_CAP_RE.search(text) and self.supplier_re.search(text) and "违约金" not in text[:text.find("赔偿") if "赔偿" in text else 0]:
                cap = self._trivial_cap(text, min_cap)
                if cap:
                    self.add("liability-asymmetric", s, cap[1], key="review.liability-cap", args={"cap": cap[0]}, rule="liability-cap")
            if not LIABILITY_RE.search(text):
                continue
            if NEG_LIAB_RE.search(text) and not re.search(r"承担[^。；]{0,6}(违约|赔偿)?责任|支付[^。；]{0,10}违约金|赔偿[^。；]{0,6}损失", text[:NEG_LIAB_RE.search(text).start()]):
                continue
            subj = self._subject(text)
            if subj == "mutual":
                mutual += 1
            elif subj == "buyer":
                buyer_liab += 1
                first_buyer = first_buyer or s
            elif subj == "supplier":
                supplier_liab += 1
        if buyer_liab and not supplier_liab and not mutual:
            self.add("liability-asymmetric", first_buyer, 0, rule="liability-one-sided")

    def _subject(self, text: str) -> str | None:
        """Who bears the liability a sentence states: the party named first, or both."""
        if re.search(r"扣减|扣除|扣款|扣罚", text) and not re.search(r"扣除[^。；]{0,6}(利息|税)", text):
            return "supplier"   # the buyer deducts from what it pays the supplier
        m_mut = MUTUAL_RE.search(text)
        mb, ms = self.buyer_re.search(text), self.supplier_re.search(text)
        first = min((m for m in (mb, ms) if m), key=lambda m: m.start(), default=None)
        if m_mut and (first is None or m_mut.start() <= first.start() + 2):
            return "mutual"
        if first is None:
            return None
        # "乙方逾期……的，应支付违约金": the party named first is the one in breach — unless it is
        # named as holding a right ("甲方有权扣减……"), which makes the other party the liable one
        clause = re.split(r"[，,]", text[first.start():], maxsplit=1)[0]
        holds_right = re.match(rf"(?:{self.buyer}|{self.supplier})[^。；，]{{0,6}}(有权|可以|可)", clause)
        is_buyer = first is mb
        if holds_right:
            is_buyer = not is_buyer
        return "buyer" if is_buyer else "supplier"

    def _trivial_cap(self, text: str, min_cap: Decimal):
        m = LIAB_CAP_RE.search(text)
        tail = text[m.start():]
        base = m.start()
        for p in X.percentages(tail):
            if p.value < min_cap:
                return (p.text, base + p.start)
            return None
        mm = re.search(rf"({X.NUM})\s*个?月(的)?[\u4e00-\u9fa5]{{0,4}}(费|租金|报酬|酬金)", tail)
        if mm:
            return (mm.group(), base + mm.start())
        for a in X.figure_amounts(tail) or X.uppercase_amounts(tail):
            if self.total and a.value / self.total * HUNDRED < min_cap:
                return (a.text, base + a.start)
            return None
        if re.search(r"已(收取|支付|收到)的[^。；]{0,8}(费用|款项)为限", tail):
            return None
        return None

    # --- forum ---------------------------------------------------------------------------
    def check_jurisdiction(self):
        places = self.parties.places
        for s in self.doc.sentences:
            text = s.text
            if not FORUM_RE.search(text) or not re.search(r"争议|纠纷|提交|提起|向|由", text):
                continue
            if re.search(rf"({self.buyer})(的)?(所在地|住所地)|项目所在地|履行地|服务地|工程所在地|房屋所在地|不动产所在地", text):
                continue
            named = [m for m in FORUM_NAME_RE.finditer(text)]
            for m in named:
                name = re.sub(r"^(提交|提请|递交|交由|交|向|由|至|到|在|的|均|应|可)+", "", m.group(1)) + m.group(2)
                if any(pl in name for pl in places):
                    continue
                foreign = next((pl for pl in FOREIGN_PLACES if pl in name), None)
                if foreign:
                    self.add("jurisdiction-unfavorable", s, m.start(), args={"forum": name}, rule="forum-place")
                    break

    # --- missing clauses -----------------------------------------------------------------
    def check_missing(self):
        sents = self.doc.sentences
        if len(sents) < 5:
            return  # a fragment, not a contract
        if not any(FORUM_RE.search(s.text) and re.search(r"仲裁|法院|诉讼|起诉", s.text) for s in sents):
            self.add("dispute-clause-missing", None, line=1, rule="dispute-missing")
        kind = self.kind
        if self.pb.applies("acceptance-missing", kind) and kind not in ("premises-lease", "equipment-lease", "legal"):
            # any mention counts: "验收合格后支付" already presupposes an acceptance
            ok = any(ACCEPT_RE.search(a.heading) for a in self.doc.articles) or any(ACCEPT_RE.search(s.text) for s in sents)
            if not ok:
                self.add("acceptance-missing", None, line=1, rule="acceptance-missing")
        if self.pb.applies("confidentiality-missing", kind):
            if not any(CONF_RE.search(s.text) for s in sents) and not any("保密" in a.heading for a in self.doc.articles):
                self.add("confidentiality-missing", None, line=1, rule="confidentiality-missing")

    # --- service term --------------------------------------------------------------------
    def check_term(self):
        if not self.pb.applies("term-excessive", self.kind):
            return
        limit = self.pb.threshold("service_term_max_months")
        for s in self.doc.sentences:
            text = s.text
            m = TERM_RE.search(text)
            if not m or TERM_EXCLUDE_RE.search(text[max(0, m.start() - 4):m.end() + 4]):
                continue
            tail = text[m.start():]
            months = None
            off = m.start()
            for d in X.durations(tail):
                if d.kind in ("年", "个月", "月"):
                    months = X.months_of(d)
                    off = m.start() + d.start
                    break
            ds = [d for d in X.dates(tail) if d.date]
            if months is None and len(ds) >= 2 and ds[1].date > ds[0].date:
                months = Decimal((ds[1].date - ds[0].date).days + 1) / Decimal("30.44")
            if months is not None and months > limit + Decimal("0.5"):
                self.add("term-excessive", s, off, args={"months": f"{months.quantize(Decimal(1))}", "limit": f"{limit}"},
                         fix_args={"limit": f"{limit}"})
                return

    # --- dates ---------------------------------------------------------------------------
    _TERM_DUR_RE = re.compile(r"(期限|期|为|共|计|历时|周期)\s*[为是：:]?\s*$")

    def check_dates(self):
        sents = self.doc.sentences
        for i, s in enumerate(sents):
            ds = X.dates(s.text)
            if not ds:
                continue
            for d in ds:
                if d.date is None:
                    self.add("date-inconsistent", s, d.start, args={"detail": _detail("review.date.invalid", date=d.text)},
                             rule="date-invalid")
            for a, b in zip(ds, ds[1:]):
                if not DATE_RANGE_SEP_RE.match(s.text[a.end:b.start]) or not (a.date and b.date):
                    continue
                if b.date < a.date:
                    self.add("date-inconsistent", s, a.start, args={"detail": _detail(
                        "review.date.range-reversed", start=a.text, end=b.text)}, rule="date-reversed")
                    continue
                stated = self._stated_duration(s, sents[i - 1] if i and sents[i - 1].article == s.article else None, a.start)
                if stated and not _duration_matches(a.date, b.date, stated):
                    self.add("date-inconsistent", s, a.start, args={"detail": _detail(
                        "review.date.duration", start=a.text, end=b.text, stated=stated.text)}, rule="date-duration")

    def _stated_duration(self, s: Sentence, prev: Sentence | None, range_start: int):
        best = None
        for sent, limit in ((s, None), (prev, None)):
            if sent is None:
                continue
            for d in X.durations(sent.text):
                if d.kind == "workday":
                    continue
                before = sent.text[max(0, d.start - 8):d.start]
                if not self._TERM_DUR_RE.search(before):
                    continue
                if re.search(r"质保|保修|试用|试运行|内|之后|后", sent.text[d.end:d.end + 2] + before[-3:]):
                    continue
                if sent is s:
                    best = d
                elif best is None:
                    best = d
            if best:
                return best
        return best

    # --- placeholders --------------------------------------------------------------------
    def check_placeholders(self):
        lines = self.doc.text.split("\n")
        seen = set()
        for s in self.doc.sentences:
            for m in PLACEHOLDER_RE.finditer(s.text):
                raw = m.group()
                if raw.startswith("【") and re.search(r"提示|注意|重要|说明|注|特别|条款|附件|合同", raw) and len(raw) > 2:
                    continue
                line = lines[s.line - 1]
                if re.fullmatch(r"[\s*_\-=#|:]+", line):
                    continue
                before = line[:s.col - 1 + m.start()]
                if PLACEHOLDER_LABEL_RE.search(before[-16:]) or PLACEHOLDER_LABEL_RE.search(s.text[m.end():m.end() + 4]):
                    continue
                if raw.startswith("*") or raw in ("（）", "()") and re.search(r"[□☐]", s.text):
                    continue
                if s.line in seen:
                    continue
                seen.add(s.line)
                self.add("placeholder-unfilled", s, m.start(), args={"blank": raw.strip() or raw})

    # --- credit codes --------------------------------------------------------------------
    def check_credit_codes(self):
        for s in self.doc.sentences:
            if not CODE_LINE_RE.search(s.text):
                continue
            for m in CODE_RE.finditer(s.text):
                code = m.group()
                if not any(c.isdigit() for c in code) or re.search(r"[Xx]{2,}", code):
                    continue
                problem = credit_code_problem(code.upper())
                if problem:
                    self.add("credit-code-invalid", s, m.start(), args={"code": code, "problem": _detail("review.cc." + problem.split(".")[-1])})

    # --- playbook pattern rules ----------------------------------------------------------
    def apply_rules(self):
        for rule in self.pb.rules:
            if rule.kinds and self.kind not in rule.kinds:
                continue
            match_re, unless_re = rule.regexes(self.buyer, self.supplier)
            for s in self.doc.sentences:
                m = match_re.search(s.text)
                if not m:
                    continue
                if unless_re is not None:
                    window = s.text if rule.unless_near is None else s.text[max(0, m.start() - rule.unless_near):m.end()]
                    if unless_re.search(window):
                        continue
                self.add(rule.category, s, m.start(), key=rule.message, rule=f"{rule.clause}.{rule.id}")


def _detail(key: str, **args) -> str:
    # a nested message, rendered in the current language when the finding is shown
    from cctk import i18n
    return i18n.t(key, **args)


def _add_months(day: dt.date, months: int) -> dt.date:
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise ValueError(day)


def _duration_matches(start: dt.date, end: dt.date, stated: X.Span) -> bool:
    """Does start..end fit the stated period? Either counting convention (end inclusive or not) and
    a few days' slack for month lengths are accepted."""
    if stated.kind in ("年", "个月", "月"):
        months = int(stated.value / 365 * 12) if stated.kind == "年" else int(stated.value / 30)
        if stated.kind == "年" and stated.value % 365:
            months = int((stated.value / 365 * 12).to_integral_value())
        expected = _add_months(start, months)
        return abs((end - expected).days) <= 3
    days = int(stated.value)
    span = (end - start).days
    return abs(span - days) <= 2 or abs(span + 1 - days) <= 2

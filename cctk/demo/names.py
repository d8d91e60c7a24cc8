"""Vocabulary of the demo district: unit names, people's names, company names, contract titles.

Plain data, so the generator stays about structure and the wording can grow here.
Names are realistic in form (Luohu's streets, kinds of schools and bureaus) but the
people and companies are invented.
"""

from __future__ import annotations

# District-level bureaus and offices (区直部门): (zh, en). LH001 and LH002 match the
# project's own sample org.yaml.
BUREAUS = [
    ("深圳市罗湖区人民政府办公室", "General Office of the Luohu District Government"),
    ("深圳市罗湖区教育局", "Luohu District Education Bureau"),
    ("深圳市罗湖区发展和改革局", "Luohu District Development and Reform Bureau"),
    ("深圳市罗湖区科技创新局", "Luohu District Science and Technology Innovation Bureau"),
    ("深圳市罗湖区工业和信息化局", "Luohu District Industry and Information Technology Bureau"),
    ("深圳市罗湖区民政局", "Luohu District Civil Affairs Bureau"),
    ("深圳市罗湖区人力资源局", "Luohu District Human Resources Bureau"),
    ("深圳市罗湖区住房和建设局", "Luohu District Housing and Construction Bureau"),
    ("深圳市罗湖区交通运输局", "Luohu District Transport Bureau"),
    ("深圳市罗湖区水务局", "Luohu District Water Affairs Bureau"),
    ("深圳市罗湖区文化广电旅游体育局", "Luohu District Culture, Radio, Tourism and Sports Bureau"),
    ("深圳市罗湖区卫生健康局", "Luohu District Health Bureau"),
    ("深圳市罗湖区退役军人事务局", "Luohu District Veterans Affairs Bureau"),
    ("深圳市罗湖区应急管理局", "Luohu District Emergency Management Bureau"),
    ("深圳市罗湖区审计局", "Luohu District Audit Bureau"),
    ("深圳市罗湖区国有资产监督管理局", "Luohu District State-owned Assets Supervision Bureau"),
    ("深圳市罗湖区统计局", "Luohu District Statistics Bureau"),
    ("深圳市罗湖区城市管理和综合执法局", "Luohu District Urban Management and Law Enforcement Bureau"),
    ("深圳市罗湖区城市更新和土地整备局", "Luohu District Urban Renewal and Land Preparation Bureau"),
    ("深圳市罗湖区投资推广署", "Luohu District Investment Promotion Agency"),
    ("深圳市罗湖区政务服务数据管理局", "Luohu District Government Services and Data Bureau"),
    ("深圳市罗湖区信访局", "Luohu District Petitions Bureau"),
    ("深圳市罗湖区机关事务管理局", "Luohu District Government Offices Administration"),
    ("深圳市罗湖区建筑工务署", "Luohu District Public Works Agency"),
    ("深圳市罗湖区市场监督管理局", "Luohu District Market Supervision Bureau"),
    ("深圳市罗湖区规划土地监察局", "Luohu District Planning and Land Inspection Bureau"),
    ("深圳市罗湖区医疗保障局", "Luohu District Healthcare Security Bureau"),
    ("深圳市罗湖区档案馆", "Luohu District Archives"),
    ("深圳市罗湖区图书馆", "Luohu District Library"),
    ("深圳市罗湖区文化馆", "Luohu District Cultural Centre"),
    ("深圳市罗湖区体育中心", "Luohu District Sports Centre"),
    ("深圳市罗湖区疾病预防控制中心", "Luohu District Center for Disease Control"),
    ("深圳市罗湖区公共资源交易中心", "Luohu District Public Resources Trading Centre"),
    ("深圳市罗湖区政府投资项目评审中心", "Luohu District Investment Project Review Centre"),
    ("深圳市罗湖区城市管理服务中心", "Luohu District Urban Management Service Centre"),
    ("深圳市罗湖区环境卫生管理所", "Luohu District Sanitation Management Office"),
    ("深圳市罗湖区公园管理中心", "Luohu District Parks Management Centre"),
    ("深圳市罗湖区社会福利中心", "Luohu District Social Welfare Centre"),
    ("深圳市罗湖区救助管理站", "Luohu District Relief Station"),
    ("深圳市罗湖区残疾人联合会", "Luohu District Disabled Persons' Federation"),
    ("深圳市罗湖区妇女联合会", "Luohu District Women's Federation"),
    ("共青团深圳市罗湖区委员会", "Luohu District Committee of the Communist Youth League"),
    ("深圳市罗湖区总工会", "Luohu District Federation of Trade Unions"),
    ("深圳市罗湖区融媒体中心", "Luohu District Media Centre"),
    ("深圳市罗湖区人才服务中心", "Luohu District Talent Service Centre"),
    ("深圳市罗湖区教育科学研究院", "Luohu District Institute of Education Research"),
    ("深圳市罗湖区教育装备中心", "Luohu District Education Equipment Centre"),
    ("深圳市罗湖区建设工程质量安全监督站", "Luohu District Construction Quality and Safety Station"),
]

# The ten streets (街道) of Luohu: (zh, pinyin).
STREETS = [
    ("桂园", "Guiyuan"), ("黄贝", "Huangbei"), ("东门", "Dongmen"), ("翠竹", "Cuizhu"), ("南湖", "Nanhu"),
    ("笋岗", "Sungang"), ("东湖", "Donghu"), ("莲塘", "Liantang"), ("东晓", "Dongxiao"), ("清水河", "Qingshuihe"),
]
STREET_UNITS = [
    ("街道办事处", "Street Office"),
    ("街道党群服务中心", "Street Community Service Centre"),
    ("街道综合行政执法队", "Street Law Enforcement Team"),
    ("街道公共安全服务中心", "Street Public Safety Service Centre"),
    ("街道社区健康服务中心", "Street Community Health Centre"),
]

# Place names used for schools and kindergartens: (zh, pinyin).
PLACES = [
    ("螺岭", "Luoling"), ("北斗", "Beidou"), ("红桂", "Honggui"), ("滨河", "Binhe"), ("向西", "Xiangxi"),
    ("东昌", "Dongchang"), ("翠北", "Cuibei"), ("翠园", "Cuiyuan"), ("布心", "Buxin"), ("水库", "Shuiku"),
    ("洪湖", "Honghu"), ("碧波", "Bibo"), ("百仕达", "Baishida"), ("莲南", "Liannan"), ("仙湖", "Xianhu"),
    ("锦田", "Jintian"), ("凤光", "Fengguang"), ("黄贝岭", "Huangbeiling"), ("新秀", "Xinxiu"), ("文锦", "Wenjin"),
    ("人民", "Renmin"), ("延芳", "Yanfang"), ("湖贝", "Hubei"), ("草埔", "Caopu"), ("泥岗", "Nigang"),
    ("田贝", "Tianbei"), ("桃园", "Taoyuan"), ("松泉", "Songquan"), ("怡景", "Yijing"), ("金湖", "Jinhu"),
    ("银湖", "Yinhu"), ("清秀", "Qingxiu"), ("梧桐", "Wutong"), ("罗芳", "Luofang"), ("春风", "Chunfeng"),
    ("翠荫", "Cuiyin"), ("东晓", "Dongxiao"), ("笋岗", "Sungang"), ("莲塘", "Liantang"), ("东湖", "Donghu"),
]
SCHOOL_KINDS = [
    ("小学", "Primary School"), ("中学", "Middle School"), ("幼儿园", "Kindergarten"),
    ("外国语学校", "Foreign Languages School"), ("实验学校", "Experimental School"),
]
HOSPITALS = [
    ("深圳市罗湖区人民医院", "Luohu District People's Hospital"),
    ("深圳市罗湖区中医院", "Luohu District Hospital of Traditional Chinese Medicine"),
    ("深圳市罗湖区妇幼保健院", "Luohu District Maternal and Child Health Hospital"),
    ("深圳市罗湖区慢性病防治院", "Luohu District Chronic Disease Hospital"),
    ("深圳市罗湖区第二人民医院", "Luohu District Second People's Hospital"),
    ("深圳市罗湖区医养融合老年病科医院", "Luohu District Geriatric Hospital"),
    ("深圳市罗湖区口腔医院", "Luohu District Stomatological Hospital"),
    ("深圳市罗湖区医学检验中心", "Luohu District Laboratory Centre (Luohu Hospital Group)"),
    ("深圳市罗湖区医学影像中心", "Luohu District Imaging Centre (Luohu Hospital Group)"),
    ("深圳市罗湖区社康管理中心", "Luohu District Community Health Management Centre (Luohu Hospital Group)"),
]

# People's names: surnames and given-name characters with their pinyin, for ids like wang.fang.
SURNAMES = [
    ("王", "wang"), ("李", "li"), ("张", "zhang"), ("刘", "liu"), ("陈", "chen"), ("杨", "yang"), ("黄", "huang"),
    ("赵", "zhao"), ("吴", "wu"), ("周", "zhou"), ("徐", "xu"), ("孙", "sun"), ("马", "ma"), ("朱", "zhu"),
    ("胡", "hu"), ("郭", "guo"), ("何", "he"), ("林", "lin"), ("罗", "luo"), ("郑", "zheng"), ("梁", "liang"),
    ("谢", "xie"), ("宋", "song"), ("唐", "tang"), ("许", "xu"), ("邓", "deng"), ("冯", "feng"), ("曾", "zeng"),
    ("彭", "peng"), ("蔡", "cai"), ("叶", "ye"), ("钟", "zhong"), ("卢", "lu"), ("苏", "su"), ("潘", "pan"),
]
GIVEN = [
    ("伟", "wei"), ("芳", "fang"), ("娜", "na"), ("敏", "min"), ("静", "jing"), ("丽", "li"), ("强", "qiang"),
    ("磊", "lei"), ("军", "jun"), ("洋", "yang"), ("勇", "yong"), ("艳", "yan"), ("杰", "jie"), ("涛", "tao"),
    ("明", "ming"), ("超", "chao"), ("秀英", "xiuying"), ("霞", "xia"), ("平", "ping"), ("刚", "gang"),
    ("桂英", "guiying"), ("华", "hua"), ("建华", "jianhua"), ("晓燕", "xiaoyan"), ("志强", "zhiqiang"),
    ("海燕", "haiyan"), ("文", "wen"), ("婷", "ting"), ("鹏", "peng"), ("慧", "hui"), ("嘉欣", "jiaxin"),
    ("子涵", "zihan"), ("浩然", "haoran"), ("雪", "xue"), ("宇", "yu"), ("琳", "lin"), ("斌", "bin"),
    ("晨", "chen"), ("颖", "ying"), ("俊杰", "junjie"), ("思远", "siyuan"), ("立新", "lixin"),
]

# Company trade names (字号).
TRADE_NAMES = [
    "罗湖", "鹏城", "南粤", "华信", "中深", "宏达", "恒丰", "安居", "嘉禾", "金穗", "宝德", "海纳", "联创",
    "天健", "东方", "长城", "新世纪", "永泰", "卓越", "万科", "中集", "立信", "科迅", "智联", "汇丰源",
    "瑞和", "英龙", "华强", "赛格", "特发", "深业", "盛世", "佳兆", "星河", "润泽", "骏达", "和美",
    "众诚", "诚信", "明德", "信诺", "启航", "蓝海", "绿源", "银河", "祥和", "兴业", "德勤源", "正通",
]

# Kinds of supplier by line of business: key -> (name suffix, categories served, en)
INDUSTRIES = {
    "property": ("物业管理有限公司", "property management"),
    "it": ("信息技术有限公司", "IT"),
    "software": ("软件有限公司", "software"),
    "cleaning": ("环境清洁服务有限公司", "cleaning"),
    "security": ("保安服务有限公司", "security"),
    "canteen": ("餐饮管理有限公司", "catering"),
    "renovation": ("建筑装饰工程有限公司", "renovation"),
    "construction": ("建设工程有限公司", "construction"),
    "equipment": ("科技发展有限公司", "equipment"),
    "office": ("办公用品有限公司", "office supplies"),
    "medical": ("医疗器械有限公司", "medical equipment"),
    "consulting": ("工程咨询有限公司", "consulting"),
    "training": ("教育咨询有限公司", "training"),
    "printing": ("印刷有限公司", "printing"),
    "greening": ("园林绿化有限公司", "landscaping"),
    "media": ("文化传播有限公司", "media"),
}

# Contract subjects per category: (industry, title stem, template, min amount, max amount, term months min, max).
# template: a model text shipped in cctk/data/templates/contracts (name only, the version is 2018.1), or None for
# subjects no model text covers (the record then names none: `cctk check` CC601 reports a template that does not exist).
SUBJECTS = {
    "goods": [
        ("equipment", "办公设备采购", "goods", 5_000, 2_000_000, 1, 4),
        ("it", "计算机及网络设备采购", "goods", 20_000, 8_000_000, 1, 4),
        ("office", "办公家具采购", "goods", 5_000, 1_500_000, 1, 3),
        ("office", "办公用品采购", "goods", 5_000, 300_000, 1, 2),
        ("medical", "医疗设备采购", "goods", 10_000, 30_000_000, 2, 6),
        ("equipment", "教学设备采购", "goods", 10_000, 5_000_000, 1, 4),
        ("equipment", "安防监控设备采购", "goods", 10_000, 12_000_000, 2, 5),
        ("printing", "宣传资料印制", "goods", 5_000, 400_000, 1, 2),
    ],
    "services": [
        ("property", "物业管理服务", "services", 30_000, 15_000_000, 12, 12),
        ("it", "信息系统运维服务", "services", 10_000, 6_000_000, 12, 12),
        ("cleaning", "保洁服务", "services", 20_000, 3_000_000, 6, 12),
        ("security", "保安服务", "services", 20_000, 5_000_000, 12, 12),
        ("canteen", "食堂餐饮服务", "services", 30_000, 6_000_000, 12, 12),
        ("software", "软件开发服务", "services", 20_000, 20_000_000, 3, 10),
        ("consulting", "法律顾问服务", "services", 20_000, 500_000, 12, 12),
        ("training", "业务培训服务", "services", 5_000, 600_000, 1, 6),
        ("consulting", "咨询服务", "services", 10_000, 3_000_000, 2, 8),
        ("media", "宣传推广服务", "services", 10_000, 2_000_000, 2, 10),
        ("greening", "绿化养护服务", "services", 10_000, 4_000_000, 12, 12),
        ("consulting", "工程造价咨询服务", "services", 10_000, 2_000_000, 3, 10),
    ],
    "works": [
        ("renovation", "办公场所装修改造工程", "works", 10_000, 20_000_000, 2, 8),
        ("construction", "校舍维修改造工程", "works", 20_000, 40_000_000, 3, 10),
        ("construction", "市政道路维修工程", "works", 50_000, 50_000_000, 3, 12),
        ("renovation", "老旧小区综合整治工程", "works", 100_000, 50_000_000, 4, 12),
        ("construction", "城市更新片区基础设施工程", "works", 300_000, 50_000_000, 6, 12),
    ],
    "lease-out": [
        ("property", "国有物业出租", "lease-out", 10_000, 6_000_000, 12, 36),
        ("canteen", "闲置商铺出租", "lease-out", 20_000, 1_500_000, 12, 36),
    ],
    "other": [
        ("media", "文体活动承办", None, 10_000, 1_500_000, 1, 4),
        ("consulting", "招商引资合作协议", None, 50_000, 20_000_000, 12, 24),
    ],
}
CATEGORY_WEIGHTS = {"goods": 34, "services": 44, "works": 12, "lease-out": 6, "other": 4}
CATEGORY_ZH = {"goods": "货物", "services": "服务", "works": "工程", "lease-out": "国有资产出租", "other": "其他"}
TITLE_PREFIX = ["", "", "2019年度", "", "新建", "", "", ""]

OPINIONS = {
    "unit-review": ["同意。", "经审核，合同条款完整，同意提交。", "已核对采购结果，同意。", "条款无异议，同意报批。"],
    "legality-review": ["经合法性审查，合同主体适格，条款合法，同意签订。", "经审查，无违反法律法规的内容，同意。",
                        "合同条款合法有效，建议明确违约责任后签订；已修改，同意。"],
    "unit-head": ["同意签订。", "同意。", "同意，请按程序办理。"],
}

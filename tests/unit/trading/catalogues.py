"""A province's trading catalogue as the tests use it (河南, with the national thresholds)."""

from __future__ import annotations

from functools import cache

import yaml

from xietong.trading.catalogue import TradingCatalogue, parse_catalogue

HENAN = """
province: "410000"
grace_days: 30
rules:
  - code: HN-GC-01
    name: 使用国有资金的工程建设项目
    category: 工程建设
    funding: [政府投资, 国有资金, 国际组织或外国政府贷款、援助资金]
    min_amount: "4,000,000"
    basis: 必须招标的工程项目规定（国家发展改革委令第16号）第二条、第五条；新政文〔2017〕144号 十八
  - code: HN-CG-01
    name: 公开招标数额标准以上的政府采购
    category: 政府采购
    min_amount: 4000000
    basis: 河南省政府集中采购目录及标准；新政文〔2017〕144号 十八
  - code: HN-TD-01
    name: 国有建设用地使用权出让
    category: 土地使用权出让
    grace_days: 60
    basis: 招标拍卖挂牌出让国有建设用地使用权规定（国土资源部令第39号）；新政文〔2017〕144号 十八
  - code: HN-KY-01
    name: 矿业权出让
    category: mining_rights
    basis: 矿业权出让交易规则；新政文〔2017〕144号 十八
  - code: HN-CQ-01
    name: 国有产权交易
    category: 国有产权交易
    effective_from: 2024-01-01
    basis: 企业国有资产交易监督管理办法（国资委 财政部令第32号）；新政文〔2017〕144号 十八
"""


@cache
def henan() -> TradingCatalogue:
    return parse_catalogue(yaml.safe_load(HENAN))

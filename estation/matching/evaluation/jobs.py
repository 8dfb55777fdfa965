"""The fixed job set of the matching evaluation: realistic Jinan jobs around 甸柳街道.

Each archetype is one kind of job (with its physical demands on the 0-4 scale of estation.physical);
it is posted in three variants: near 甸柳 full-length, far away (5-7 km), and near with shorter
hours, so that distance and hours limits have something to remove. A few listings are closed or
expired. Start-up opportunities are listed separately.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from estation.physical import DOMAIN_NAMES

CENTRE = (36.6640, 117.0520)  # 甸柳新村
NEAR = [(36.6600, 117.0600), (36.6650, 117.0700), (36.6680, 117.0480), (36.6620, 117.0550)]
FAR = [(36.7050, 117.1050), (36.6200, 116.9950), (36.7150, 117.0100)]
_SHORT = {"sw": "standing_walking", "lc": "lifting_carrying", "fh": "fine_hand", "se": "seeing", "he": "hearing",
          "sp": "speaking", "lm": "learning_memory"}


def demands(**short: int) -> dict[str, int]:
    out = {d: 0 for d in DOMAIN_NAMES}
    for k, v in short.items():
        out[_SHORT[k]] = v
    return out


@dataclass(frozen=True)
class Archetype:
    key: str
    title: str
    code: str | None
    description: str
    demands: dict[str, int]
    hours: float
    wage: tuple[int, int]
    shift: str = "day"
    employment_type: str = "full_time"
    home_based: bool = False
    adjustments: tuple[str, ...] = ()
    employer: str = "济南市历下区用人单位"


def A(key, title, code, description, d, hours, wage, **kw) -> Archetype:
    return Archetype(key, title, code, description, d, hours, wage, **kw)


ARCHETYPES: tuple[Archetype, ...] = (
    A("guard", "小区保安员", "4-07-05-01", "小区门岗值守，登记来访人员和车辆，夜间巡逻",
      demands(sw=3, lc=1, se=3, he=2, sp=2, lm=1), 12, (2800, 3400), shift="night", employer="甸柳物业公司"),
    A("doorman", "单位门卫", "4-07-05-01", "看守大门，收发报刊信件，登记访客，坐岗为主",
      demands(sw=1, lc=1, se=2, he=2, sp=2, lm=1), 8, (2500, 3000), adjustments=("seated_work",), employer="历下区某事业单位"),
    A("parking", "停车场收费员", None, "停车场出入口岗亭收费，抬杆放行，坐在岗亭里",
      demands(sw=1, fh=1, se=3, sp=2, lm=1), 8, (2600, 3000), shift="rotating", adjustments=("seated_work",), employer="泉城停车管理公司"),
    A("monitor", "监控室值班员", "4-07-05-01", "在监控室看视频监控画面，发现异常及时报告，坐班",
      demands(se=4, he=2, sp=2, lm=2), 12, (3000, 3500), shift="rotating", adjustments=("seated_work",), employer="甸柳物业公司"),
    A("cleaner", "小区保洁员", "4-09-08-01", "负责楼道、电梯和公共区域清扫保洁",
      demands(sw=3, lc=2, fh=1, se=1, he=1, sp=1, lm=1), 6, (2300, 2800), employment_type="part_time",
      adjustments=("flexible_hours",), employer="甸柳物业公司"),
    A("office_cleaner", "写字楼保洁员", "4-09-08-01", "办公楼卫生间和办公室日常保洁，推清洁车",
      demands(sw=3, lc=2, se=1, lm=1), 8, (2600, 3000), employer="泉城物业服务公司"),
    A("garbage", "垃圾分类督导员", "4-09-08-02", "小区垃圾分类投放点值守，指导居民分类投放",
      demands(sw=2, lc=1, se=2, he=2, sp=2, lm=1), 4, (1800, 2200), employment_type="part_time",
      adjustments=("flexible_hours",), employer="甸柳街道环卫所"),
    A("porter", "仓库装卸工", "4-02-05-01", "货物装卸搬运，经常搬运25公斤以上的箱子",
      demands(sw=4, lc=4, se=2, lm=1), 8, (4500, 5500), employer="济南物流园"),
    A("warehouse", "仓库理货员", "4-02-06-02", "商品清点上架，扫码出入库，整理货架",
      demands(sw=3, lc=3, fh=2, se=3, lm=2), 8, (3800, 4500), employer="济南物流园"),
    A("stock_clerk", "仓库统计员", "4-02-06-01", "在仓库办公室用电脑登记出入库台账，核对库存数据",
      demands(sw=1, lc=1, fh=2, se=3, sp=1, lm=3), 8, (3500, 4200), adjustments=("seated_work",), employer="济南物流园"),
    A("courier", "快递员", "4-02-07-08", "骑电动三轮车派送快递包裹，上门揽收",
      demands(sw=4, lc=3, se=4, he=2, sp=2, lm=2), 10, (5000, 7000), employer="顺丰速运历下营业部"),
    A("station", "快递驿站管理员", "4-02-07-08", "社区快递驿站收发包裹，扫码录入，通知取件",
      demands(sw=2, lc=2, fh=2, se=3, sp=2, lm=2), 8, (3000, 3600), employer="甸柳社区驿站"),
    A("rider", "外卖骑手", "4-10-08-01", "骑电动车送外卖，时间自由，多劳多得",
      demands(sw=4, lc=2, se=4, he=3, sp=2, lm=2), 10, (5000, 8000), shift="flexible", employer="美团配送站"),
    A("cashier", "超市收银员", "4-01-02-04", "超市收银台收银扫码，坐姿收银，整理小票",
      demands(sw=1, lc=1, fh=3, se=3, he=2, sp=2, lm=2), 8, (3000, 3500), shift="rotating",
      adjustments=("seated_work",), employer="银座超市甸柳店"),
    A("sales", "服装店导购", "4-01-02-03", "服装店站立接待顾客，介绍商品，整理陈列",
      demands(sw=3, lc=1, se=2, he=2, sp=3, lm=2), 8, (3200, 4500), employer="泉城路服装店"),
    A("cook", "饭店热菜厨师", "4-03-02-01", "社区饭店热菜炒锅，负责菜品烹饪",
      demands(sw=4, lc=3, fh=3, se=2, lm=3), 10, (5000, 6500), employer="甸柳家常菜馆"),
    A("kitchen_help", "食堂帮厨", "4-03-02-01", "协助厨师洗菜切菜配菜，保持后厨整洁",
      demands(sw=3, lc=3, fh=2, lm=1), 8, (3000, 3600), employer="甸柳社区食堂"),
    A("dish", "餐厅洗碗工", "4-03-02-05", "餐厅后厨洗碗、消毒餐具",
      demands(sw=3, lc=2, lm=0), 6, (2400, 2800), employment_type="part_time", employer="甸柳家常菜馆"),
    A("pastry", "早餐店面点师", "4-03-02-02", "早餐店包包子、蒸馒头、擀饺子皮，早上五点上班",
      demands(sw=3, lc=2, fh=3, lm=2), 6, (3500, 4500), employer="甸柳早餐铺"),
    A("waiter", "餐厅服务员", "4-03-02-05", "点餐、上菜、收拾餐桌，接待客人",
      demands(sw=4, lc=2, se=2, he=3, sp=3, lm=2), 8, (3200, 3800), employer="甸柳家常菜馆"),
    A("canteen_cook", "长者食堂厨师", "4-03-02-01", "为社区老人做午餐，每天上午备餐做饭",
      demands(sw=3, lc=2, fh=3, lm=2), 5, (2800, 3300), employment_type="part_time", employer="甸柳社区长者食堂"),
    A("home_cleaning", "家政保洁钟点工", "4-10-01-06", "上门为居民打扫卫生、擦玻璃，按小时计费",
      demands(sw=4, lc=2, lm=1), 4, (2500, 4000), employment_type="hourly", shift="flexible",
      adjustments=("flexible_hours",), employer="历下区家政服务中心"),
    A("nanny", "育婴员", "4-10-01-03", "照看0到3岁婴幼儿，喂养、洗澡、哄睡",
      demands(sw=3, lc=2, se=3, he=3, sp=3, lm=3), 10, (6000, 8000), employer="历下区家政服务中心"),
    A("elder_care", "养老护理员", "4-10-01-05", "养老院照护失能老人，协助翻身、洗浴、喂饭",
      demands(sw=4, lc=4, se=2, he=3, sp=3, lm=3), 8, (4200, 5000), shift="rotating", adjustments=("training",),
      employer="甸柳养老服务中心"),
    A("companion", "独居老人陪伴员", "4-10-01-05", "上门陪独居老人聊天、读报、陪同散步",
      demands(sw=2, lc=1, se=1, he=3, sp=3, lm=2), 4, (2000, 2600), employment_type="part_time",
      adjustments=("flexible_hours",), employer="甸柳社区居家养老站"),
    A("call_centre", "电话客服专员", "4-04-05-03", "接听客户来电，解答咨询，录入工单",
      demands(fh=2, se=3, he=3, sp=4, lm=3), 8, (3500, 4200), adjustments=("seated_work", "training"), employer="山东某通信公司"),
    A("online_cs", "居家网络客服", "4-04-05-03", "在家用电脑在线文字回复顾客咨询，不需要打电话",
      demands(fh=2, se=3, lm=3), 6, (2800, 3500), home_based=True, shift="flexible",
      adjustments=("home_based", "seated_work", "training", "flexible_hours"), employer="济南某电商公司"),
    A("data_entry", "数据录入员", "3-01-02-05", "在办公室把纸质表格录入电脑，要求打字熟练",
      demands(fh=3, se=3, lm=2), 8, (3000, 3500), adjustments=("seated_work", "step_free", "accessible_toilet"),
      employer="历下区数据服务公司"),
    A("labelling", "居家数据标注员", None, "在家用电脑给图片和文字打标签，按件计酬",
      demands(fh=2, se=3, lm=2), 4, (1800, 3500), home_based=True, employment_type="hourly", shift="flexible",
      adjustments=("home_based", "training", "flexible_hours"), employer="济南某人工智能公司"),
    A("ecommerce", "网店运营助理", "4-01-06-01", "协助网店上架商品、修图、处理订单",
      demands(sw=1, fh=2, se=3, sp=2, lm=3), 8, (3500, 4500), employer="济南某电商公司"),
    A("livestream", "直播带货助理", "4-01-06-02", "协助主播直播卖货，介绍产品，回复弹幕",
      demands(sw=2, fh=1, se=3, he=2, sp=4, lm=3), 6, (3000, 5000), employer="济南某传媒公司"),
    A("knit", "居家手工编织", "6-05-01-06", "在家钩织围巾和毛线玩偶，按件计酬，免费教学",
      demands(fh=3, se=2, lm=1), 4, (1500, 2500), home_based=True, employment_type="hourly", shift="flexible",
      adjustments=("home_based", "seated_work", "flexible_hours", "training"), employer="甸柳巧手工坊"),
    A("beads", "居家串珠手工", None, "在家串珠子做手链挂件，材料上门送取，按件计酬",
      demands(fh=3, se=3, lm=1), 4, (1200, 2000), home_based=True, employment_type="hourly", shift="flexible",
      adjustments=("home_based", "seated_work", "flexible_hours"), employer="甸柳巧手工坊"),
    A("sewing", "服装厂缝纫工", "6-05-01-03", "操作缝纫机车缝服装，坐着工作",
      demands(sw=1, lc=1, fh=4, se=3, lm=2), 8, (4000, 5000), adjustments=("seated_work",), employer="济南服装厂"),
    A("alterations", "社区便民裁缝", "6-05-01-03", "社区便民点修改裤边、换拉链、缝补衣物",
      demands(sw=1, fh=4, se=3, sp=2, lm=2), 6, (2500, 3500), adjustments=("seated_work",), employer="甸柳便民服务点"),
    A("massage", "推拿按摩师", "4-10-04-02", "按摩店为顾客推拿按摩，欢迎视障人士",
      demands(sw=2, lc=1, fh=3, he=2, sp=2, lm=3), 8, (3500, 6000), adjustments=("training",), employer="泉城盲人按摩店"),
    A("hairdresser", "美发师", "4-10-03-02", "理发店为顾客剪发、烫染",
      demands(sw=3, fh=4, se=3, sp=3, lm=3), 9, (4000, 6000), employer="甸柳美发店"),
    A("accountant", "代理记账会计", "2-06-03-00", "为小微企业做账报税，整理凭证",
      demands(fh=2, se=3, sp=2, lm=4), 8, (4500, 6000), adjustments=("seated_work", "step_free"), employer="历下财税服务公司"),
    A("greenery", "园林绿化工", "4-09-10-01", "小区绿化修剪、浇水、除草",
      demands(sw=4, lc=3, se=2, lm=1), 8, (2800, 3400), employer="甸柳物业公司"),
    A("laundry", "洗衣店熨烫工", "4-10-02-02", "洗衣店衣物分拣、熨烫、整理",
      demands(sw=3, lc=2, fh=3, se=2, lm=1), 8, (2800, 3300), employer="甸柳洗衣店"),
    A("appliance", "家电维修工", "4-12-03-01", "上门维修空调、洗衣机、冰箱",
      demands(sw=3, lc=3, fh=4, se=4, sp=2, lm=4), 8, (5000, 7000), employer="历下家电维修部"),
    A("phone_repair", "手机维修员", "4-12-02-01", "柜台维修手机，更换屏幕和电池，坐着操作",
      demands(sw=1, fh=4, se=4, sp=2, lm=3), 8, (3500, 5000), adjustments=("seated_work",), employer="甸柳手机维修店"),
    A("shoe_repair", "修鞋配钥匙师傅", "4-12-04-02", "社区便民摊位修鞋、配钥匙",
      demands(sw=1, lc=1, fh=3, se=3, sp=2, lm=2), 6, (2000, 3000), adjustments=("seated_work",), employer="甸柳便民服务点"),
    A("grid", "社区网格员", None, "入户走访登记居民信息，协助社区开展工作",
      demands(sw=3, fh=2, se=3, he=3, sp=3, lm=3), 8, (3000, 3600), employer="甸柳街道办事处"),
    A("library", "社区图书室管理员", None, "社区图书室图书借还登记和整理，坐班为主",
      demands(sw=2, lc=2, fh=2, se=3, sp=2, lm=2), 6, (2200, 2600), adjustments=("seated_work", "step_free"),
      employer="甸柳街道文化站"),
    A("driver", "网约车司机", None, "驾驶网约车接送乘客，需C1驾照",
      demands(sw=1, lc=1, se=4, he=3, sp=2, lm=3), 10, (5000, 8000), shift="flexible", employer="济南某出行公司"),
    A("packing", "食品厂包装工", "6-31-05-00", "食品厂流水线装袋封口，站立操作",
      demands(sw=3, lc=2, fh=3, se=2, lm=1), 8, (3500, 4200), employer="济南食品厂"),
    A("seated_packing", "坐姿分拣包装员", "6-31-05-00", "电商仓库坐着给小商品装袋贴标签，简单重复",
      demands(lc=1, fh=2, se=2, lm=1), 6, (2600, 3200),
      adjustments=("seated_work", "step_free", "accessible_toilet", "training"), employer="济南某电商仓库"),
    A("tea", "茶艺师", "4-03-02-07", "茶馆泡茶、为客人介绍茶品",
      demands(sw=2, fh=3, se=2, he=2, sp=3, lm=3), 8, (3500, 4500), employer="泉城茶社"),
    A("barista", "咖啡师", "4-03-02-08", "咖啡店制作咖啡饮品，收银",
      demands(sw=3, fh=3, se=2, he=2, sp=2, lm=3), 8, (3500, 4500), employer="甸柳咖啡馆"),
    A("silent_cafe", "无声咖啡馆店员", "4-03-02-08", "听障员工为主的咖啡馆，手写点单，制作饮品",
      demands(sw=3, fh=3, se=3, lm=2), 8, (3000, 3600), adjustments=("sign_language", "training"), employer="济南无声咖啡馆"),
    A("pet", "宠物美容师", "4-10-07-01", "宠物店为猫狗洗澡、修剪毛发",
      demands(sw=3, lc=2, fh=3, se=3, lm=2), 8, (3500, 5000), employer="甸柳宠物店"),
    A("callback", "电话回访员", "4-04-05-03", "给客户打电话回访满意度，按要求记录",
      demands(fh=1, se=2, he=3, sp=4, lm=2), 6, (3000, 4000), employment_type="part_time", adjustments=("seated_work", "flexible_hours"),
      employer="山东某保险公司"),
    A("tutor", "居家线上作业辅导", None, "在家通过视频给小学生辅导作业，讲解题目",
      demands(fh=1, se=3, he=3, sp=4, lm=4), 3, (2000, 4000), home_based=True, employment_type="part_time",
      shift="flexible", adjustments=("home_based", "flexible_hours"), employer="济南某教育公司"),
    A("proofreading", "居家文字校对", None, "在家校对书稿和文章错别字，按字数计酬",
      demands(fh=2, se=4, lm=3), 4, (1500, 3000), home_based=True, employment_type="hourly", shift="flexible",
      adjustments=("home_based", "flexible_hours", "screen_reader"), employer="山东某出版社"),
    A("meal_delivery", "长者助餐配送员", "4-10-08-01", "中午给社区老人送午餐，步行或骑车",
      demands(sw=3, lc=2, se=2, sp=2, lm=1), 3, (1500, 2000), employment_type="part_time",
      employer="甸柳社区长者食堂"),
    A("reception", "物业前台接待", "4-06-01-01", "物业服务中心前台接待业主、登记报修，坐班",
      demands(sw=1, fh=2, se=3, he=3, sp=3, lm=3), 8, (3000, 3500), adjustments=("seated_work", "step_free"),
      employer="甸柳物业公司"),
    A("housekeeping", "酒店客房服务员", "4-03-01-02", "酒店客房打扫、更换床单",
      demands(sw=4, lc=3, se=2, lm=1), 8, (3200, 3800), employer="泉城大酒店"),
    A("mover", "搬家工", "4-02-05-01", "搬家公司搬运家具家电",
      demands(sw=4, lc=4, lm=1), 8, (5000, 7000), employer="历下搬家公司"),
    # Adversarial: titles that share characters with another job (保姆 / 宠物保姆, 酒保 / 酒席承办,
    # 叉车操作员 / 技术操作员), and generic titles that name no occupation (储备经理, 技术员).
    A("live_in_nanny", "住家保姆", "4-10-01-06", "住在雇主家，做饭、打扫卫生、照看老人孩子",
      demands(sw=3, lc=2, fh=2, se=2, he=2, sp=2, lm=2), 10, (5000, 7000), employer="历下区家政服务中心"),
    A("pet_sitter", "宠物保姆", "4-10-07-01", "上门喂猫遛狗、清理猫砂，照看主人不在家的宠物",
      demands(sw=3, lc=1, fh=2, se=3, lm=1), 4, (2000, 3500), employment_type="part_time", shift="flexible",
      employer="甸柳宠物店"),
    A("bartender", "酒保", "4-03-02-09", "酒吧吧台调制鸡尾酒、为客人倒酒，晚班",
      demands(sw=3, fh=3, se=2, he=3, sp=3, lm=3), 8, (4000, 6000), shift="night", employer="泉城路酒吧"),
    A("banquet", "酒席承办商", None, "承接婚宴寿宴等流动酒席，负责采购、组织厨师和服务员",
      demands(sw=3, lc=3, se=2, sp=3, lm=4), 10, (5000, 10000), employment_type="hourly", employer="甸柳宴席服务部"),
    A("forklift", "叉车操作员", "6-30-05-01", "仓库驾驶叉车装卸托盘货物，需叉车证",
      demands(sw=2, lc=2, fh=2, se=4, he=2, lm=2), 8, (5000, 6500), employer="济南物流园"),
    A("tech_operator", "技术操作员", None, "电子厂生产线设备操作，按工艺要求调试机器",
      demands(sw=3, fh=3, se=3, lm=3), 8, (4500, 5500), shift="rotating", employer="济南某电子厂"),
    A("trainee_manager", "储备经理", None, "连锁门店储备干部，轮岗学习门店管理，培养为店长",
      demands(sw=3, se=2, he=2, sp=3, lm=4), 9, (4500, 6000), adjustments=("training",), employer="泉城连锁便利店"),
    A("technician", "技术员", None, "工厂车间技术员，负责设备巡检和工艺记录",
      demands(sw=3, lc=2, fh=3, se=3, lm=3), 8, (4500, 5500), employer="济南某机械厂"),
)
BY_KEY = {a.key: a for a in ARCHETYPES}


@dataclass(frozen=True)
class JobSpec:
    ref: str
    archetype: str
    title: str
    lat: float
    lon: float
    hours: float
    status: str = "open"
    expired: bool = False
    extra: dict = field(default_factory=dict)


def job_specs() -> list[JobSpec]:
    """Three variants per archetype plus a few closed or expired ones: deterministic."""
    out: list[JobSpec] = []
    for i, a in enumerate(ARCHETYPES):
        near = NEAR[i % len(NEAR)]
        far = FAR[i % len(FAR)]
        out.append(JobSpec(f"{a.key}/near", a.key, a.title, *near, a.hours))
        out.append(JobSpec(f"{a.key}/far", a.key, a.title, *far, a.hours))
        short = min(a.hours, 4.0) if a.hours > 4 else a.hours
        near2 = NEAR[(i + 1) % len(NEAR)]
        title = a.title if a.hours <= 4 else f"{a.title}（半天）"
        out.append(JobSpec(f"{a.key}/short", a.key, title, *near2, short))
    for key in ("cashier", "doorman", "data_entry", "knit", "cleaner", "canteen_cook"):
        out.append(JobSpec(f"{key}/closed", key, BY_KEY[key].title, *NEAR[0], BY_KEY[key].hours, status="closed"))
        out.append(JobSpec(f"{key}/expired", key, BY_KEY[key].title, *NEAR[1], BY_KEY[key].hours, expired=True))
    return out

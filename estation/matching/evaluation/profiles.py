"""Labelled resident profiles for the matching evaluation (most with partial work capacity).

Each profile names the job archetypes (evaluation/jobs.py) that suit the resident, graded 3 (what
they asked for), 2 (a good fit) or 1 (acceptable), and some that look similar in words but do not
suit them. A listing's relevance is its archetype's grade if the listing respects every hard limit
of the resident, else 0: a job the resident cannot do is never relevant, however close its words.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from estation.physical import DOMAIN_NAMES

_SHORT = {"sw": "standing_walking", "lc": "lifting_carrying", "fh": "fine_hand", "se": "seeing", "he": "hearing",
          "sp": "speaking", "lm": "learning_memory"}


def L(**short: int) -> dict[str, int]:
    out = {d: 4 for d in DOMAIN_NAMES}
    for k, v in short.items():
        out[_SHORT[k]] = v
    return out


@dataclass(frozen=True)
class EvalProfile:
    key: str
    skills: str
    experience: str
    wishes: str
    limits: dict[str, int]
    max_hours: float = 8.0
    max_km: float = 3.0
    home_only: bool = False
    preferred_hours: float | None = None
    relevant: dict[str, int] = field(default_factory=dict)
    unsuitable: tuple[str, ...] = ()

    @property
    def partial(self) -> bool:
        return any(v < 4 for v in self.limits.values()) or self.home_only or self.max_hours < 8


def P(key, skills, experience, wishes, limits=None, *, hours=8.0, km=3.0, home=False, pref=None, rel, bad=()):
    return EvalProfile(key, skills, experience, wishes, limits or L(), hours, km, home, pref, rel, tuple(bad))


PROFILES: tuple[EvalProfile, ...] = (
    P("wheelchair_typist", "打字、电脑录入、Excel表格", "在工厂做过五年文员", "想找坐着用电脑的工作", L(sw=0, lc=1), hours=6,
      rel={"data_entry": 3, "labelling": 3, "online_cs": 2, "stock_clerk": 2, "proofreading": 2, "accountant": 1},
      bad=("warehouse", "porter")),
    P("crutch_cashier", "收银、扫码、点钞", "在超市当过收银员", "离家近一点", L(sw=1, lc=2), km=2,
      rel={"cashier": 3, "parking": 2, "reception": 1, "doorman": 1}, bad=("sales", "waiter")),
    P("retired_guard", "看门、巡逻、看监控", "在工厂当过十年保安", "想找夜班门卫", hours=12,
      rel={"guard": 3, "doorman": 3, "monitor": 3, "parking": 2}),
    P("knee_guard", "看门、登记、看监控", "做过保安", "膝盖不好不能多走", L(sw=1, lc=2),
      rel={"doorman": 3, "parking": 2, "monitor": 1}, bad=("guard",)),
    P("deaf_knitter", "手工编织、钩针", "在家织毛衣多年", "在家做手工", L(he=0, sp=1), hours=4, km=1,
      rel={"knit": 3, "beads": 3, "silent_cafe": 1}, bad=("alterations", "call_centre")),
    P("blind_masseur", "推拿、按摩", "盲人按摩学校毕业，在按摩店工作过", "想找按摩的工作", L(se=0),
      rel={"massage": 3}, bad=("callback", "data_entry")),
    P("cook_back", "炒菜、做面点", "在饭店当过厨师", "腰不好，想做轻松点的厨房工作", L(lc=2, sw=3), hours=6,
      rel={"canteen_cook": 3, "pastry": 2, "dish": 1}, bad=("cook", "kitchen_help")),
    P("chef", "中餐烹饪、炒菜", "饭店厨师十年", "想找厨师工作", hours=10, km=5,
      rel={"cook": 3, "canteen_cook": 2, "kitchen_help": 2, "pastry": 1}),
    P("young_porter", "力气大、搬运、开叉车", "物流园装卸工", "多挣钱", hours=10, km=8,
      rel={"porter": 3, "mover": 3, "warehouse": 2, "courier": 1}),
    P("mum_morning", "做饭、打扫卫生、带孩子", "家庭主妇", "只能上午工作四小时，要接送孩子", hours=4, km=2,
      rel={"home_cleaning": 3, "cleaner": 2, "companion": 2, "meal_delivery": 2, "garbage": 2, "nanny": 2,
           "canteen_cook": 2, "kitchen_help": 1, "cook": 1, "dish": 1}),
    P("elder_carer", "照顾老人、护理", "在养老院做过护理员", "想做养老护理", rel={"elder_care": 3, "companion": 2, "nanny": 1}),
    P("nanny", "带孩子、做辅食", "做过三年月嫂和育婴员", "想找育婴工作", hours=10, rel={"nanny": 3, "home_cleaning": 1}),
    P("voice_cs", "普通话标准、电话沟通、电脑操作", "做过电话销售", "想坐着工作", L(sw=1),
      rel={"call_centre": 3, "callback": 3, "online_cs": 2, "reception": 2}),
    P("deaf_cs", "打字快、电脑操作", "做过网店客服", "希望不用打电话", L(he=0, sp=1), hours=6,
      rel={"online_cs": 3, "labelling": 2, "data_entry": 2, "seated_packing": 1}, bad=("call_centre", "callback")),
    P("ecommerce_young", "网店运营、拍照修图、直播", "淘宝店运营两年", "想做电商", rel={"ecommerce": 3, "livestream": 3, "online_cs": 1}),
    P("seamstress", "缝纫机、裁剪、缝补", "服装厂车工", "腿脚不好，要坐着干活", L(sw=1),
      rel={"sewing": 3, "alterations": 3, "knit": 1}),
    P("wheel_accountant", "会计、做账、报税", "公司会计十年", "坐轮椅，需要无障碍", L(sw=0, lc=1),
      rel={"accountant": 3, "data_entry": 1, "stock_clerk": 1}),
    P("id_simple", "扫地、叠衣服、简单重复的活", "在福利工厂做过包装", "离家近", L(lm=1, sp=2), hours=6, km=1.5,
      rel={"seated_packing": 3, "packing": 2, "cleaner": 2, "dish": 2, "garbage": 1, "knit": 1}),
    P("low_vision_talker", "说话清楚、会聊天", "社区志愿者", "想陪老人聊天", L(se=1), hours=4,
      rel={"companion": 3}, bad=("callback", "garbage")),
    P("courier", "骑电动车、送快递、熟悉路况", "快递员三年", "多劳多得", hours=10, km=8,
      rel={"courier": 3, "rider": 3, "station": 2}),
    P("courier_injured", "送快递、扫码", "快递员，腰受过伤", "不能搬重的", L(lc=2, sw=2),
      rel={"station": 3, "seated_packing": 1, "parking": 1}, bad=("courier", "rider")),
    P("hairdresser", "剪发、烫染", "理发店十年", "想找美发工作", hours=10, rel={"hairdresser": 3}),
    P("gardener", "种花、修剪树木", "公园绿化工", "户外工作", rel={"greenery": 3, "cleaner": 1}),
    P("laundry_lady", "洗衣、熨烫", "洗衣店干过", "离家近", km=2, rel={"laundry": 3, "housekeeping": 1, "home_cleaning": 1}),
    P("phone_fixer", "修手机、换屏幕", "手机店维修员", "腿有残疾，坐着干活", L(sw=1),
      rel={"phone_repair": 3, "shoe_repair": 1}, bad=("appliance",)),
    P("appliance_fixer", "修空调、修洗衣机、电工", "家电维修十年", "", hours=8, km=5, rel={"appliance": 3, "phone_repair": 1}),
    P("shoe_man", "修鞋、配钥匙", "摆过修鞋摊", "年纪大了走不远", L(sw=1), hours=6, km=1,
      rel={"shoe_repair": 3, "alterations": 1}),
    P("librarian", "图书整理、登记", "学校图书馆管理员", "想找安静的工作", L(sw=2, lc=2), hours=6,
      rel={"library": 3, "reception": 1, "data_entry": 1}),
    P("driver", "开车、C1驾照、熟悉济南路况", "开过出租车", "", hours=10, km=10, rel={"driver": 3, "courier": 1}),
    P("barista", "做咖啡、奶茶", "奶茶店店员", "", rel={"barista": 3, "tea": 2, "silent_cafe": 1}),
    P("deaf_barista", "做咖啡、手语", "奶茶店做过", "听不见，会手语", L(he=0, sp=0),
      rel={"silent_cafe": 3, "seated_packing": 1, "knit": 1}, bad=("barista", "call_centre")),
    P("tea_lady", "泡茶、茶艺", "茶馆服务员", "", rel={"tea": 3, "barista": 1}),
    P("pet_lover", "给猫狗洗澡、修毛", "宠物店做过", "", rel={"pet": 3}),
    P("teacher_home", "辅导作业、讲题", "退休小学老师", "在家工作", L(sw=1, lc=1), hours=3, home=True,
      rel={"tutor": 3, "proofreading": 2, "online_cs": 1}),
    P("proofreader", "文字校对、写材料", "报社编辑", "在家工作", L(sw=0), hours=4, home=True,
      rel={"proofreading": 3, "online_cs": 1, "labelling": 2}),
    P("hemiplegia_knitter", "串珠子、做手工", "", "中风后一只手不太灵活，只能在家", L(sw=1, lc=0, fh=3), hours=4, home=True,
      rel={"beads": 3, "knit": 3, "labelling": 1}),
    P("stroke_door", "看门、收发报纸", "单位门卫", "中风后走路慢", L(sw=1, lc=1, fh=2), hours=8, km=2,
      rel={"doorman": 3, "parking": 2}, bad=("guard", "cashier")),
    P("mental_calm", "整理、打扫", "做过保洁", "想要安静不复杂的工作，时间短一点", L(lm=2, sp=2, he=2), hours=4,
      rel={"cleaner": 3, "office_cleaner": 2, "home_cleaning": 2, "seated_packing": 2, "dish": 2, "housekeeping": 1,
           "beads": 1}),
    P("dialysis", "收银、理货", "超市员工", "每周透析三次，每天只能干四小时", L(lc=2, sw=2), hours=4,
      rel={"cashier": 3, "station": 2, "library": 1, "doorman": 1}),
    P("cancer_survivor_office", "电脑、文员、打字", "公司行政", "身体虚弱，坐着工作", L(sw=1, lc=1), hours=6,
      rel={"data_entry": 3, "reception": 2, "stock_clerk": 2, "labelling": 2, "online_cs": 2}),
    P("autism_sort", "分拣、重复性工作、记忆力好", "在庇护工场做过", "不擅长和人说话", L(sp=1, he=2, lm=2),
      rel={"seated_packing": 3, "packing": 2, "labelling": 2, "beads": 1}, bad=("call_centre", "sales")),
    P("amputee_leg_cs", "电话沟通、普通话", "做过话务员", "装了假肢，不能久站", L(sw=1, lc=2),
      rel={"call_centre": 3, "callback": 3, "reception": 2}),
    P("young_grad_grid", "沟通能力强、电脑操作", "大学社会工作专业", "想在社区工作", rel={"grid": 3, "reception": 2, "library": 1}),
    P("weak_heart_cook", "包包子、蒸馒头", "开过早餐店", "心脏不好不能累", L(sw=3, lc=2), hours=5,
      rel={"pastry": 3, "canteen_cook": 2}, bad=("cook",)),
    P("morning_pastry", "包包子、蒸馒头、擀皮", "开过早餐店", "早上能起早", hours=6,
      rel={"pastry": 3, "canteen_cook": 2, "kitchen_help": 1}),
    P("waiter_young", "端盘子、点菜", "餐厅服务员", "", rel={"waiter": 3, "dish": 1, "barista": 1}),
    P("hotel_maid", "打扫客房、铺床", "酒店客房服务员", "", rel={"housekeeping": 3, "home_cleaning": 2, "office_cleaner": 2}),
    P("cleaner_partial", "打扫卫生、保洁", "做过保洁员", "腰不好不能提重物", L(lc=2), hours=6,
      rel={"cleaner": 3, "office_cleaner": 3, "garbage": 2}, bad=("housekeeping", "mover")),
    P("warehouse_sit", "电脑登记、库存", "仓库管理员", "腿受伤，坐着工作", L(sw=1, lc=1),
      rel={"stock_clerk": 3, "data_entry": 2}, bad=("warehouse",)),
    P("delivery_young", "骑电动车、跑腿", "送过外卖", "时间自由", hours=10, km=6, rel={"rider": 3, "courier": 2, "meal_delivery": 1}),
    P("elder_helper_partial", "陪老人聊天、照顾老人", "照顾过自己父母", "体力一般，不能搬重的", L(lc=1, sw=2), hours=4,
      rel={"companion": 3}, bad=("elder_care",)),
    P("livestream_deaf", "拍照、修图", "网店美工", "听力不好", L(he=1, sp=2),
      rel={"ecommerce": 3, "labelling": 1, "online_cs": 1}, bad=("livestream", "call_centre")),
    P("sales_lady", "卖衣服、导购、搭配", "商场导购五年", "", rel={"sales": 3, "cashier": 1, "livestream": 1}),
    P("night_monitor", "看监控、值夜班", "监控室值班", "只能坐着", L(sw=0, lc=1), hours=12,
      rel={"monitor": 3, "doorman": 1}),
    P("packing_worker", "流水线、包装", "食品厂包装工", "", rel={"packing": 3, "seated_packing": 2, "warehouse": 1}),
    P("garbage_elder", "垃圾分类、宣传", "社区志愿者", "退休了，每天干几个小时", L(lc=1), hours=4,
      rel={"garbage": 3, "companion": 1}),
    P("meal_runner", "送饭、跑腿", "", "中午有空", hours=3, km=2, rel={"meal_delivery": 3, "garbage": 1}),
    P("blind_phone", "电话沟通、按摩", "盲人，做过电话客服", "不能看屏幕", L(se=0),
      rel={"massage": 2}, bad=("call_centre", "data_entry")),
    P("stroke_typist_home", "打字、录入", "文员", "半身不遂，只能在家", L(sw=0, lc=0, fh=2), hours=4, home=True,
      rel={"labelling": 3, "online_cs": 3, "proofreading": 2}, bad=("data_entry", "knit")),
    P("parking_man", "收停车费、抬杆", "停车场收费员", "", L(sw=2), rel={"parking": 3, "doorman": 2, "monitor": 1}),
    P("reception_lady", "接待、登记、电话", "物业前台", "离家近", km=2, rel={"reception": 3, "call_centre": 1, "library": 1}),
    P("sewing_home", "缝补、钩织", "做过裁缝", "腿脚不便只能在家", L(sw=0), hours=4, home=True,
      rel={"knit": 3, "beads": 2}, bad=("alterations", "sewing")),
    P("grid_partial", "入户走访、登记信息", "社区工作", "走路多了腿疼", L(sw=2),
      rel={"reception": 2, "library": 2, "call_centre": 1}, bad=("grid",)),
    # ---- adversarial: shared characters, generic titles, experience alone, age, limits that empty the list
    P("nanny_live_in", "做饭、打扫卫生、照顾老人孩子", "做过两年住家保姆", "想找保姆的活", hours=10, km=5,
      rel={"live_in_nanny": 3, "home_cleaning": 2, "nanny": 2, "elder_care": 1}, bad=("pet_sitter",)),
    P("pet_sitter_wish", "喂猫、遛狗、铲猫砂", "帮邻居照看过宠物", "想做宠物保姆", hours=4,
      rel={"pet_sitter": 3, "pet": 2}, bad=("live_in_nanny", "nanny")),
    P("bartender_exp", "调鸡尾酒、吧台服务", "在酒吧当过三年酒保", "晚上能上班",
      rel={"bartender": 3, "barista": 1, "tea": 1}, bad=("banquet",)),
    P("banquet_cook", "大锅菜、组织酒席", "在农村承办过酒席", "想干酒席的活", hours=10, km=8,
      rel={"banquet": 3, "cook": 2, "canteen_cook": 1}, bad=("bartender",)),
    P("forklift_driver", "开叉车、有叉车证", "物流园叉车司机五年", "", km=8,
      rel={"forklift": 3, "warehouse": 2, "porter": 1}, bad=("tech_operator", "technician")),
    P("factory_operator", "设备调试、看图纸", "电子厂设备操作工", "", km=8,
      rel={"tech_operator": 3, "technician": 2}, bad=("forklift",)),
    P("generic_manager", "门店管理、带团队", "做过经理", "", km=5,
      rel={"trainee_manager": 3, "sales": 1, "ecommerce": 1}, bad=("accountant",)),
    P("generic_tech", "技术", "做过技术员", "", km=8,
      rel={"technician": 3, "tech_operator": 2, "appliance": 1}),
    P("guard_experience_only", "", "在小区当了八年保安", "", hours=12, km=5,
      rel={"guard": 3, "doorman": 3, "monitor": 2, "parking": 1}, bad=("live_in_nanny", "callback", "companion")),
    P("cook_experience_only", "", "在饭店炒了十年菜", "", hours=10, km=5,
      rel={"cook": 3, "canteen_cook": 2, "kitchen_help": 2, "banquet": 1}, bad=("bartender",)),
    P("elderly_handicraft", "织毛衣、串珠子", "退休工人", "六十多岁了，想在家做点手工挣零花钱", L(sw=2, lc=1), hours=4,
      home=True, rel={"knit": 3, "beads": 3}, bad=("sewing",)),
    P("elderly_guard", "看门、登记", "退休前在厂里看大门", "六十三岁，身体还行，想找个门卫的活", L(lc=2), hours=8,
      rel={"doorman": 3, "guard": 2, "parking": 2, "monitor": 1}),
    P("emptied_by_limits", "打字", "文员", "只能在家，每天一小时", L(sw=0, lc=0, fh=1, se=1, he=1, sp=1, lm=1),
      hours=1, km=0.5, home=True, rel={}),
    P("emptied_far_blind", "按摩", "按摩师", "只能在家门口", L(se=0, sw=1), hours=2, km=0.2,
      rel={}),
)
EMPTY = frozenset(p.key for p in PROFILES if not p.relevant)
"""Profiles whose limits leave no listing: right when their list is empty (scored 1, else 0)."""

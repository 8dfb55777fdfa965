"""The JSON of the outcomes report (GET /api/v1/reports/outcomes)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class Retained(BaseModel):
    due: int = Field(description="期间内到期（截至今天）的上岗满3个月跟踪数")
    retained: int = Field(description="其中回访确认仍在岗的数（未回访的不算在岗）")


class ZeroEmployment(BaseModel):
    at_start: int = Field(description="期间第一天的零就业家庭户数")
    at_end: int = Field(description="期间最后一天（或今天）的零就业家庭户数")
    cleared: int = Field(description="第一天是零就业家庭、最后一天已不是的户数")


class Figures(BaseModel):
    registered_job_seekers: int = Field(description="期间内有一天处于登记失业状态、或在期间内上岗的居民人数")
    placements: int = Field(description="期间内上岗的人次（录用上岗和包户干部登记的上岗）")
    median_days_to_placement: float | None = Field(
        description="从登记失业到上岗的天数的中位数；期间内没有可计算的上岗时为 null")
    retained_3_months: Retained = Field(description="上岗满3个月的跟踪：到期数和仍在岗数")
    zero_employment_households: ZeroEmployment = Field(description="零就业家庭：期初户数、期末户数和清零户数")
    public_welfare_posts: int = Field(description="期间内上岗中属于公益性岗位的人次")


class CommunityFigures(Figures):
    code: str = Field(description="社区代码")
    name: str = Field(description="社区名称")


class GroupFigures(BaseModel):
    dimension: Literal["disability_category", "age_band", "sex"] = Field(
        description="分组方式：disability_category 残疾类别，age_band 年龄段（按期间最后一天的年龄），sex 性别")
    group: str = Field(description="组：残疾类别（无残疾证为 none）、年龄段（如 25-34岁）或性别（male/female）")
    label: str = Field(description="组的中文名称")
    job_seekers: int | None = Field(
        description="该组的求职人数（口径同 registered_job_seekers）；不公开时（见 hidden）为 null")
    with_recommendations: int | None = Field(
        description=("其中期间内被推荐过岗位的人数：用人单位从匹配推荐的人选中发出邀请，或包户干部推荐了岗位；"
                     "不公开时为 null"))
    placements: int | None = Field(description="该组期间内上岗的人次；不公开时为 null")
    hidden: Literal["small", "complementary"] | None = Field(
        description=("该组的数字为何不公开：small 该残疾类别的求职人数少于5人（1至4人），可能认出具体的人；"
                     "complementary 为免用总数减去其他组推算出少于5人的组，一并不单独公开；"
                     "为 null 时数字如实给出。残疾类别之外的分组不隐去"))


class Outcomes(Figures):
    from_month: str = Field(alias="from", description="起始月份（年-月）")
    to_month: str = Field(alias="to", description="结束月份（年-月）")
    by_community: list[CommunityFigures] = Field(description="各社区的数字，相加等于总数（中位数除外）")
    by_group: list[GroupFigures] = Field(
        description="按残疾类别、年龄段、性别分组；每种分组内各组相加等于总数（残疾类别中不公开的组除外，见 hidden）")
    withheld_dimensions: list[str] = Field(
        description="整个不分组显示的分组（如 disability_category）：本范围内人数太少，仅凭总数就能推算出某组的人数，"
                    "列出组名就等于说出了这些人的残疾类别")

    model_config = {"populate_by_name": True}

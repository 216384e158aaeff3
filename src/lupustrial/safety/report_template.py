# ruff: noqa: E501  (HTML template: lines follow the markup, not Python)
"""The safety report's Jinja2 templates: one self-contained page with English and Japanese
labels (``TEMPLATE``, the default), or in Japanese alone (``TEMPLATE_JA``, whose coded values
are worded by ``JAPANESE``; free text, the CTCAE term and the sources stay as recorded)."""

from __future__ import annotations

TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Safety report {{ d.report.number }} / 疾病等報告</title>
<style>
body{font-family:"Noto Sans CJK JP","Noto Sans JP",sans-serif;max-width:50rem;margin:1.5rem auto;padding:0 1rem;color:#222;font-size:.95rem}
table{border-collapse:collapse;width:100%;margin:.4rem 0 1rem}th,td{border:1px solid #bbb;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f3f3f3;width:35%}.warn{color:#a00;font-weight:bold}small{color:#555}
@media print{body{max-width:none;margin:0}tr{break-inside:avoid}}
</style></head><body>
<h1>Safety report / 疾病等報告 <small>{{ d.report.number }}</small></h1>
<p>{{ d.study.title }} ({{ d.study.registration }})</p>
<table>
<tr><th>Report / 報告の種類</th><td>{{ 'Follow-up report / 続報' if d.report.kind == 'follow-up' else 'First report / 第一報' }}{% if d.report.follows %}, follows / 先行報告 {{ d.report.follows.number }}{% if d.report.follows.submitted_on %} ({{ d.report.follows.submitted_on }}){% endif %}{% endif %}</td></tr>
<tr><th>To / 報告先</th><td>{{ d.report.recipient }}</td></tr>
<tr><th>Rule / 根拠</th><td>{{ d.report.rule }}: {{ d.report.source }}{% if not d.report.rule_confirmed %} <span class="warn">(rule not confirmed / 未確認)</span>{% endif %}</td></tr>
<tr><th>Day 0 (investigator aware) / 知った日</th><td>{{ d.report.day_zero or '—' }}{% if 'aware_date' in d.event.get('assumed', []) %} <span class="warn">(aware date not recorded: the onset is day 0 / 知った日の記録なし: 発現日を起算日とする)</span>{% endif %}</td></tr>
<tr><th>Deadline / 報告期限</th><td>{{ d.report.due or 'periodic report / 定期報告' }}</td></tr>
<tr><th>Generated / 作成日時</th><td>{{ d.report.generated_at }}</td></tr>
</table>
<h2>Event / 疾病等</h2>
<table>
<tr><th>Subject / 被験者</th><td>{{ d.event.subject_id }}</td></tr>
<tr><th>Event / 事象</th><td>{{ d.event.term }}{% if not d.event.coded %} <span class="warn">(not coded / 未コード化)</span>{% endif %}<br><small>verbatim / 報告名: {{ d.event.verbatim }}{% if d.event.meddra_code %}; MedDRA {{ d.event.meddra_code }}{% endif %}</small></td></tr>
<tr><th>CTCAE grade / グレード</th><td>{{ d.event.ctcae_grade }}</td></tr>
<tr><th>Onset / 発現日</th><td>{{ d.event.onset }}</td></tr>
<tr><th>Resolved / 転帰日</th><td>{{ d.event.end_date }}</td></tr>
<tr><th>Outcome / 転帰</th><td>{{ d.event.outcome }}</td></tr>
<tr><th>Action taken with anifrolumab / アニフロルマブの処置</th><td>{{ d.event.action_taken_with_anifrolumab }}</td></tr>
<tr><th>Course / 経過</th><td>{{ d.event.course }}</td></tr>
</table>
<h2>Assessment / 評価</h2>
<table>
<tr><th>Seriousness / 重篤性</th><td>{{ d.seriousness.tier }}{% if not d.seriousness.get('criteria_recorded', true) %} <span class="warn">(criteria not recorded: tier from the CTCAE grade / 重篤性の基準の記録なし: CTCAEグレードから判定)</span>{% endif %}{% for c in d.seriousness.criteria %}<br>{{ c.label }} / {{ c.label_ja }}{% endfor %}</td></tr>
<tr><th>Expectedness / 予測可能性</th><td>{{ d.expectedness.value }}{% if d.expectedness.listed_reaction %} (listed / 記載: {{ d.expectedness.listed_reaction }}){% endif %}{% if d.expectedness.assumed_unexpected %} <span class="warn">— not coded: treated as unexpected / 未コード化のため予測できないものとして扱う</span>{% endif %}<br>
<small>{{ d.expectedness.reference.document }}, {{ d.expectedness.reference.version }}, {{ d.expectedness.reference.date }}{% if not d.expectedness.reference.confirmed_by_principal_investigator %} <span class="warn">(not yet confirmed by the principal investigator / 研究責任医師の確認前)</span>{% endif %}</small></td></tr>
<tr><th>Causality / 因果関係</th><td>{{ d.causality.grade }} — {{ 'suspected / 疑われる' if d.causality.suspected else 'not suspected / 疑われない' }} <small>({{ d.causality.scale }})</small></td></tr>
</table>
</body></html>
"""

JAPANESE: dict[str, str] = {
    # Report kinds and the recipients (`protocol.safety.reporting.Recipient.label`).
    "first": "第一報",
    "follow-up": "続報",
    "certified review board (through the head of the institution)": (
        "認定臨床研究審査委員会(実施医療機関の管理者を経由)"
    ),
    "Minister of Health, Labour and Welfare (through PMDA)": "厚生労働大臣(PMDA 経由)",
    # Seriousness tiers (`protocol.safety.seriousness.Tier`).
    "death": "死亡",
    "serious": "重篤",
    "non-serious": "非重篤",
    # Expectedness (`protocol.safety.expectedness.Expectedness`).
    "expected": "予測できる",
    "unexpected": "予測できない",
    "unknown": "不明",
    # Outcome and action taken (`safety.events.AeOutcome`, `ActionTaken`).
    "recovered": "回復",
    "recovering": "軽快",
    "not recovered": "未回復",
    "with sequelae": "後遺症あり",
    "fatal": "死亡",
    "dose not changed": "投与量変更なし",
    "drug interrupted": "休薬",
    "drug withdrawn": "投与中止",
    "not applicable": "該当なし",
    # The eCRF's five-point relatedness (`protocol.safety.causality.DEFAULT_CAUSALITY`).
    "not related": "関連なし",
    "unlikely": "関連があるとは考えにくい",
    "possible": "関連があるかもしれない",
    "probable": "おそらく関連あり",
    "definite": "明らかに関連あり",
    # A value not recorded (`safety.report.NOT_RECORDED`).
    "not recorded": "記録なし",
}
"""The report's coded values in Japanese, by the English the document holds."""

TEMPLATE_JA = """<!doctype html>
<html lang="ja"><head><meta charset="utf-8">
<title>疾病等報告 {{ d.report.number }}</title>
<style>
body{font-family:"Noto Sans CJK JP","Noto Sans JP",sans-serif;max-width:50rem;margin:1.5rem auto;padding:0 1rem;color:#222;font-size:.95rem}
table{border-collapse:collapse;width:100%;margin:.4rem 0 1rem}th,td{border:1px solid #bbb;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f3f3f3;width:35%}.warn{color:#a00;font-weight:bold}small{color:#555}
@media print{body{max-width:none;margin:0}tr{break-inside:avoid}}
</style></head><body>
<h1>疾病等報告 <small>{{ d.report.number }}</small></h1>
<p>{{ d.study.title }}({{ d.study.registration }})</p>
<table>
<tr><th>報告の種類</th><td>{{ ja(d.report.kind) }}{% if d.report.follows %}、先行報告 {{ d.report.follows.number }}{% if d.report.follows.submitted_on %}({{ d.report.follows.submitted_on }}){% endif %}{% endif %}</td></tr>
<tr><th>報告先</th><td>{{ ja(d.report.recipient) }}</td></tr>
<tr><th>根拠</th><td>{{ d.report.rule }}: {{ d.report.source }}{% if not d.report.rule_confirmed %} <span class="warn">(未確認)</span>{% endif %}</td></tr>
<tr><th>知った日(起算日)</th><td>{{ d.report.day_zero or '—' }}{% if 'aware_date' in d.event.get('assumed', []) %} <span class="warn">(知った日の記録なし: 発現日を起算日とする)</span>{% endif %}</td></tr>
<tr><th>報告期限</th><td>{{ d.report.due or '定期報告' }}</td></tr>
<tr><th>作成日時</th><td>{{ d.report.generated_at }}</td></tr>
</table>
<h2>疾病等</h2>
<table>
<tr><th>被験者</th><td>{{ d.event.subject_id }}</td></tr>
<tr><th>事象</th><td>{{ d.event.term }}{% if not d.event.coded %} <span class="warn">(未コード化)</span>{% endif %}<br><small>報告名: {{ d.event.verbatim }}{% if d.event.meddra_code %}; MedDRA {{ d.event.meddra_code }}{% endif %}</small></td></tr>
<tr><th>CTCAE グレード</th><td>{{ ja(d.event.ctcae_grade) }}</td></tr>
<tr><th>発現日</th><td>{{ ja(d.event.onset) }}</td></tr>
<tr><th>転帰日</th><td>{{ ja(d.event.end_date) }}</td></tr>
<tr><th>転帰</th><td>{{ ja(d.event.outcome) }}</td></tr>
<tr><th>アニフロルマブの処置</th><td>{{ ja(d.event.action_taken_with_anifrolumab) }}</td></tr>
<tr><th>経過</th><td>{{ ja(d.event.course) }}</td></tr>
</table>
<h2>評価</h2>
<table>
<tr><th>重篤性</th><td>{{ ja(d.seriousness.tier) }}{% if not d.seriousness.get('criteria_recorded', true) %} <span class="warn">(重篤性の基準の記録なし: CTCAE グレードから判定)</span>{% endif %}{% for c in d.seriousness.criteria %}<br>{{ c.label_ja }}{% endfor %}</td></tr>
<tr><th>予測可能性</th><td>{{ ja(d.expectedness.value) }}{% if d.expectedness.listed_reaction %}(記載: {{ d.expectedness.listed_reaction }}){% endif %}{% if d.expectedness.assumed_unexpected %} <span class="warn">— 未コード化のため予測できないものとして扱う</span>{% endif %}<br>
<small>{{ d.expectedness.reference.document }}、{{ d.expectedness.reference.version }}、{{ d.expectedness.reference.date }}{% if not d.expectedness.reference.confirmed_by_principal_investigator %} <span class="warn">(研究責任医師の確認前)</span>{% endif %}</small></td></tr>
<tr><th>因果関係</th><td>{{ ja(d.causality.grade) }} — {{ '疑われる' if d.causality.suspected else '疑われない' }} <small>({{ d.causality.scale }})</small></td></tr>
</table>
</body></html>
"""

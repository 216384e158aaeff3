# ruff: noqa: E501  (HTML template: lines follow the markup, not Python)
"""The HTML report's Jinja2 template: one self-contained page, no script, no CDN."""

from __future__ import annotations

STYLE = """\
body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
table{border-collapse:collapse;margin:.5rem 0 1rem}td,th{border:1px solid #ccc;padding:.2rem .5rem;
text-align:left;font-size:.9rem}th{background:#f3f3f3}.num{text-align:right}
.flow{display:flex;flex-direction:column;align-items:center;gap:.3rem}
.box{border:1px solid #555;padding:.4rem .8rem;min-width:18rem;text-align:center}
.side{font-size:.85rem;color:#555}.arrow{font-size:1.2rem}small{color:#666}
.context{border-left:4px solid #bbb;padding:.2rem .8rem;margin:1rem 0;background:#fafafa}
svg,img{max-width:100%;height:auto}
@media print{body{max-width:none;margin:0;padding:0}h2,h3{break-after:avoid}
tr,svg,.box,.context p{break-inside:avoid}}
"""
"""The report's style: inline in the file and the PDF, a linked stylesheet when served."""

TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>{{ title }}</title>
{% if stylesheet %}<link rel="stylesheet" href="{{ stylesheet }}">{% else %}<style>
{{ style|safe }}</style>{% endif %}</head><body>
<h1>{{ title }}</h1>
<p>Data cut <b>{{ r.snapshot.data_cut }}</b> (site dates: {% for site, day in r.snapshot.data_cut_site_dates.items() %}{{ site }} {{ day }}{% if not loop.last %}, {% endif %}{% endfor %}); source {{ r.snapshot.source }};
lupustrial {{ r.snapshot.software_version }}. Report created {{ created_at }}.</p>
{% if r.snapshot.site_scope %}<section class="context" id="scope">
<p><b>Sites {{ r.snapshot.site_scope|join(', ') }} only.</b> This report covers the patients and screenings of
{{ 'this site' if r.snapshot.site_scope|length == 1 else 'these sites' }} alone, those the reader may see. It is not the study's answer:
the study report over every site is produced by the statistician or the data manager.</p>
<p lang="ja"><b>施設 {{ r.snapshot.site_scope|join('、') }} のみ。</b>この報告書は閲覧者が参照できる施設の被験者とスクリーニングだけを集計したもので、
試験の結論ではありません。全施設の試験報告書は統計解析担当者またはデータマネージャーが作成します。</p>
</section>{% endif %}
{% if r.snapshot.endpoint_thresholds.non_published %}<section class="context" id="non-published">
<p><b>Not the published definitions.</b> The protocol sets these endpoint thresholds away from their published values:</p>
<p lang="ja"><b>公表された定義と異なります。</b>プロトコルは次の評価項目の閾値を公表値から変更しています：</p>
<ul>{% for n in r.snapshot.endpoint_thresholds.non_published %}<li>{{ n.name }} = {{ n.value }} (published / 公表値 {{ n.published }}; {{ n.source }})</li>{% endfor %}</ul>
</section>{% endif %}
{% if r.primary.status == 'interim' %}<section class="context" id="interim">
<p><b>Interim.</b> At this data cut {{ r.primary.main.ongoing|length }} patient{{ '' if r.primary.main.ongoing|length == 1 else 's' }}
({{ r.primary.main.ongoing|join(', ') }}) had not reached the end of the week-12 window: not yet evaluable. The estimate is on
{{ r.primary.main.n }} evaluable of {{ r.primary.main.population_n }} patients; the report becomes final when no patient is ongoing.</p>
<p lang="ja"><b>中間報告。</b>このデータカットの時点で {{ r.primary.main.ongoing|length }} 名（{{ r.primary.main.ongoing|join('、') }}）は 12 週の許容期間が終わっておらず、
まだ評価できません。推定値は {{ r.primary.main.population_n }} 名のうち評価可能な {{ r.primary.main.n }} 名に基づきます。継続中の被験者がいなくなると最終報告になります。</p>
</section>{% endif %}

<h2>Study flow (CONSORT)</h2>
<div class="flow">
<div class="box">Screened: {{ r.flow.screened }}</div><div class="arrow">↓</div>
<div class="side">Screen failures: {{ r.flow.screen_failures }}{% if r.flow.screen_failures_by_criterion %}
({% for c, n in r.flow.screen_failures_by_criterion.items() %}{{ c }} {{ n }}{% if not loop.last %}, {% endif %}{% endfor %}){% endif %}</div>
<div class="box">Enrolled: {{ r.flow.enrolled }}</div><div class="arrow">↓</div>
<div class="box">Dosed (full analysis set): {{ r.flow.dosed }}</div><div class="arrow">↓</div>
<div class="side">Withdrawn: {{ r.flow.withdrawn|length }}{% for w in r.flow.withdrawn %}
<br>{{ w.subject_id }} ({{ w.date }}): {{ w.reason }}{% endfor %}</div>
<div class="box">Completed W12: {{ r.flow.completed_w12 }}</div>
{% if r.flow.ongoing_w12 %}<div class="side">Ongoing (W12 not yet due at the data cut): {{ r.flow.ongoing_w12 }}</div>{% endif %}
</div>

<h2>Baseline characteristics (W0, n = {{ r.baseline.n }})</h2>
<table><tr><th>variable</th><th>n</th><th>median (IQR)</th><th>range</th></tr>
{% for label, key in baseline_rows %}{% set s = r.baseline[key] %}
<tr><td>{{ label }}</td><td class="num">{{ s.n }}</td>
<td class="num">{% if s.n %}{{ '%.2f'|format(s.median) }} ({{ '%.2f'|format(s.q1) }}–{{ '%.2f'|format(s.q3) }}){% endif %}</td>
<td class="num">{% if s.n %}{{ '%.2f'|format(s.min) }}–{{ '%.2f'|format(s.max) }}{% endif %}</td></tr>
{% endfor %}
<tr><td>sex</td><td colspan="3">{% for k, v in r.baseline.sex.items() %}{{ k }} {{ v }}{% if not loop.last %}, {% endif %}{% endfor %}</td></tr>
</table>

<h2>Primary endpoint: {{ r.primary.name }} ({{ r.primary.status }})</h2>
<p>{{ r.primary.population }}. {{ r.primary.rule }}.
{% if r.primary.main.ongoing %}Evaluable: {{ r.primary.main.n }} of {{ r.primary.main.population_n }}; ongoing: {{ r.primary.main.ongoing|join(', ') }}.{% endif %}
{% if not r.primary.main.n %}No evaluable patient yet: no estimate.{% endif %}</p>
<table><tr><th>analysis</th><th>responders</th><th>estimate</th><th>95% CI</th><th>method</th></tr>
{% for i in r.primary.main.intervals %}<tr><td>main</td><td class="num">{{ i.successes }}/{{ i.n }}</td>
<td class="num">{{ pct(i.estimate) }}</td><td class="num">{{ pct(i.lower) }}–{{ pct(i.upper) }}</td><td>{{ i.method }}</td></tr>
{% endfor %}{% for name, s in r.primary.sensitivity.items() %}{% for i in s.intervals %}
<tr><td>{{ name|replace('_', ' ') }}</td><td class="num">{{ i.successes }}/{{ i.n }}</td>
<td class="num">{{ pct(i.estimate) }}</td><td class="num">{{ pct(i.lower) }}–{{ pct(i.upper) }}</td><td>{{ i.method }}</td></tr>
{% endfor %}{% endfor %}</table>
<table><tr><th>patient</th><th>W12</th><th>reason</th></tr>
{% for s in r.primary.main.subjects %}<tr><td>{{ s.subject_id }}</td>
<td>{{ 'ongoing' if s.category == 'ongoing' else ('responder' if s.responder else 'non-responder') }}</td><td>{{ s.reason }}</td></tr>{% endfor %}
</table>

<section class="context" id="published">
<h3>Published rates under anifrolumab — context, not a comparison</h3>
<p><small>Randomised, placebo-controlled trials of 52 weeks with their own populations,
definitions and handling of missing data; this study is single-arm and its endpoint is at W12.
No test or interval is computed against these numbers. "see source" marks a rate not restated here.</small></p>
<table><tr><th>trial</th><th>endpoint</th><th>time point</th><th>population</th><th>anifrolumab</th><th>placebo</th><th>source</th></tr>
{% for p in published %}<tr><td>{{ p.trial }}</td><td>{{ p.endpoint }}</td><td>{{ p.time_point }}</td><td>{{ p.population }}</td>
<td class="num">{{ p.anifrolumab }}</td><td class="num">{{ p.placebo }}</td>
<td><small>{{ p.citation }}{% if p.doi %} doi:{{ p.doi }}{% endif %}{% if p.note %} {{ p.note }}{% endif %}</small></td></tr>
{% endfor %}</table>
</section>

<h2>Secondary endpoints</h2>
<table><tr><th>visit</th><th>LLDAS</th><th>95% CI (exact)</th></tr>
{% for v in r.secondary.lldas_by_visit %}<tr><td>{{ v.visit }}</td>
<td class="num">{{ v.responders }}/{{ v.n }}{% if v.ongoing %} ({{ v.ongoing|length }} ongoing){% endif %}</td><td class="num">{% if v.intervals %}{{ pct(v.intervals[0].lower) }}–{{ pct(v.intervals[0].upper) }}{% else %}—{% endif %}</td></tr>{% endfor %}
</table>
<p>Time to first LLDAS: {{ r.secondary.time_to_first_lldas.events }}/{{ r.secondary.time_to_first_lldas.n }}
reached it; median study day {{ r.secondary.time_to_first_lldas.median_day or 'not reached' }} (Kaplan–Meier).
DORIS remission at W12: {{ r.secondary.doris_w12.responders }}/{{ r.secondary.doris_w12.n }}.</p>
<h3>LLDAS swimmer plot</h3>{{ figures.swimmer|safe }}
<h3>SLEDAI-2K per patient</h3>{{ figures.sledai|safe }}
<h3>Prednisolone-equivalent taper</h3>{{ figures.prednisolone|safe }}
<table><tr><th>visit</th><th>n</th><th>median mg/day</th><th>≤ {{ '%g'|format(r.secondary.prednisolone.target_mg_per_day) }} mg/day</th></tr>
{% for v in r.secondary.prednisolone.mg_per_day %}{% set t = r.secondary.prednisolone.at_or_below_target[loop.index0] %}
<tr><td>{{ v.visit }}</td><td class="num">{{ v.n }}</td><td class="num">{% if v.n %}{{ '%.1f'|format(v.median) }}{% endif %}</td>
<td class="num">{{ t.at_or_below }}/{{ t.n }}</td></tr>{% endfor %}</table>

<h2>Adverse events (full analysis set, n = {{ r.safety.n }})</h2>
<p>Any: {{ r.safety.any.events }} events in {{ r.safety.any.subjects }} patients; serious {{ r.safety.serious.events }};
grade ≥ 3 {{ r.safety.grade_3_or_more.events }}; infections {{ r.safety.infections.events }}
(herpes zoster {{ r.safety.herpes_zoster.events }}); infusion reactions
{{ r.safety.infusion_reactions.with_reaction }} of {{ r.safety.infusion_reactions.infusions }} infusions.</p>
<table><tr><th>term</th><th>CTCAE grade</th><th>events</th><th>patients</th></tr>
{% for t in r.safety.by_term_and_grade %}<tr><td>{{ t.term }}</td><td class="num">{{ t.grade }}</td>
<td class="num">{{ t.events }}</td><td class="num">{{ t.subjects }}</td></tr>{% endfor %}</table>
<p id="safety-reporting">Safety reports (疾病等報告): {{ r.safety.reporting.reports }} ({{ r.safety.reporting.first_reports }} first, {{ r.safety.reporting.follow_ups }} follow-up);
expedited first reports {{ r.safety.reporting.expedited }}: submitted on time {{ r.safety.reporting.on_time }}, late {{ r.safety.reporting.late }},
not yet submitted {{ r.safety.reporting.not_submitted }}.</p>

<h2>Snapshot manifest</h2>
<table><tr><th>table</th><th>rows</th><th>Parquet SHA-256</th></tr>
{% for name, t in manifest.tables.items() %}<tr><td>{{ name }}</td><td class="num">{{ t.rows }}</td>
<td><small>{{ t.files.parquet.sha256 }}</small></td></tr>{% endfor %}</table>
</body></html>
"""

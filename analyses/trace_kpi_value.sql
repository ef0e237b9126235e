{#- Auditor query: trace one fct_kpi_values row back to the records behind it.
    Parameters (dbt vars, with defaults):
      kpi_code     the register code, e.g. GEN-04                    (default GEN-04)
      scope_level  national, government_layer or organisation        (default national)
      scope_id     NL, the layer, or the organisation_id             (default NL)
      year         the KPI year                                      (default 2024)
    Run: dbt compile -s trace_kpi_value --vars '{kpi_code: ISV-01, scope_level: government_layer,
         scope_id: rijk, year: 2023}', then run target/compiled/mvoi/analyses/trace_kpi_value.sql
    against the build (or published) database.
    Output: one row per record of the KPI's (denominator) domain in that scope and year - the
    invoice lines, awarded tenders, contracts, realisations or material reports, each with the
    delivery it came from (delivery_id: the landing store's register) - with its
    contribution to the numerator and the denominator, and, on every row, the traced totals
    next to the fct_kpi_values row (is_reconciled = the traced sums and record count equal it).
    The per-KPI formulas are fct_kpi_values' own (kpi_formulas(), macros/kpi/kpi_formulas.sql);
    is_reconciled says that the traced records add up to the published row. -#}
{%- set kpi_code = var('kpi_code', 'GEN-04') | upper -%}
{%- set scope_level = var('scope_level', 'national') -%}
{%- set scope_id = var('scope_id', 'NL') -%}
{%- set kpi_year = var('year', 2024) | int -%}
{%- set record_sources = {
    'spend': {'relation': 'fct_spend', 'record_type': 'invoice_line', 'key': 'invoice_line_id',
        'date': 'invoice_date', 'year': 'invoice_year', 'supplier': 'supplier_id',
        'contract': 'contract_id', 'amount': 'amount'},
    'awarded_tenders': {'relation': 'fct_tenders', 'record_type': 'awarded_tender', 'key': 'tender_id',
        'date': 'award_date', 'year': 'award_year', 'supplier': 'null', 'contract': 'null',
        'amount': 'tender_value_eur', 'filter': 'is_awarded'},
    'contracts': {'relation': 'fct_contracts', 'record_type': 'contract', 'key': 'contract_id',
        'date': 'start_date', 'year': 'start_year', 'supplier': 'supplier_id',
        'contract': 'contract_id', 'amount': 'contract_value_eur'},
    'contracts_by_end': {'relation': 'fct_contracts', 'record_type': 'contract', 'key': 'contract_id',
        'date': 'end_date', 'year': 'end_year', 'supplier': 'supplier_id',
        'contract': 'contract_id', 'amount': 'contract_value_eur'},
    'realisations': {'relation': 'fct_social_return_realisations', 'record_type': 'realisation',
        'key': 'realisation_id', 'date': 'period_end', 'year': 'period_year', 'supplier': 'null',
        'contract': 'contract_id', 'amount': 'realised_value_eur', 'product_group': 'null'},
    'material_reports': {'relation': 'fct_material_reports', 'record_type': 'material_report',
        'key': 'report_id', 'date': 'period_end', 'year': 'period_year', 'supplier': 'null',
        'contract': 'contract_id', 'amount': 'material_total_kg'},
} -%}
{%- set kpis = {} -%}
{%- for formula in kpi_formulas() -%}
    {%- do kpis.update({formula.code: formula}) -%}
{%- endfor -%}
{%- if kpi_code not in kpis -%}
    {{ exceptions.raise_compiler_error("trace_kpi_value: unknown kpi_code '" ~ kpi_code ~ "'") }}
{%- endif -%}
{%- if scope_level not in ['national', 'government_layer', 'organisation'] -%}
    {{ exceptions.raise_compiler_error("trace_kpi_value: unknown scope_level '" ~ scope_level ~ "'") }}
{%- endif -%}
{%- set kpi = kpis[kpi_code] -%}
{%- if scope_level == 'government_layer' -%}
    {%- set scope_condition = "government_layer = '" ~ scope_id ~ "'" -%}
{%- elif scope_level == 'organisation' -%}
    {%- set scope_condition = "organisation_id = '" ~ scope_id ~ "'" -%}
{%- else -%}
    {%- set scope_condition = 'true' -%}
{%- endif -%}
{#- a contract's KPI year is its start year, or its end year for the KPIs of completed contracts -#}
{%- set source = record_sources[kpi.records ~ ('_by_end' if kpi.year == 'end_year' else '')] -%}
-- grain: one row per record of {{ kpi_code }}'s domain in scope {{ scope_level }} {{ scope_id }}, year {{ kpi_year }}
with

kpi_records as (
    select * from {{ ref(source.relation) }}
),

kpi_values as (
    select * from {{ ref('fct_kpi_values', v=1) }}
),

domain_records as (
    select
        '{{ kpi_code }}' as kpi_code,
        '{{ source.record_type }}' as record_type,
        cast({{ source.key }} as varchar) as record_id,
        delivery_id,
        organisation_id,
        government_layer,
        {{ source.year }} as kpi_year,
        {{ source.date }} as kpi_date,
        cast({{ source.supplier }} as varchar) as supplier_id,
        cast({{ source.contract }} as varchar) as contract_id,
        cast({{ source.get("product_group", "product_group_id") }} as varchar) as product_group_id,
        cast({{ source.amount }} as double) as record_amount,
        cast({{ kpi.numerator }} as double) as numerator_contribution,
        cast({{ kpi.denominator if kpi.denominator is not none else 'null' }} as double)
            as denominator_contribution
    from kpi_records
    where
        {{ source.year }} = {{ kpi_year }}
        and ({{ source.get('filter', 'true') }})
        and ({{ kpi.get('domain', 'true') }})
        and {{ scope_condition }}
),

traced_totals as (
    select
        sum(numerator_contribution) as traced_numerator,
        sum(denominator_contribution) as traced_denominator,
        count(*) as traced_record_count
    from domain_records
),

kpi_value as (
    select
        numerator,
        denominator,
        value,
        unit,
        record_count
    from kpi_values
    where
        kpi_code = '{{ kpi_code }}'
        and scope_level = '{{ scope_level }}'
        and scope_id = '{{ scope_id }}'
        and year = {{ kpi_year }}
),

final as (
    select
        domain_records.kpi_code,
        domain_records.record_type,
        domain_records.record_id,
        domain_records.delivery_id,
        domain_records.organisation_id,
        domain_records.government_layer,
        domain_records.kpi_year,
        domain_records.kpi_date,
        domain_records.supplier_id,
        domain_records.contract_id,
        domain_records.product_group_id,
        domain_records.record_amount,
        domain_records.numerator_contribution,
        domain_records.denominator_contribution,
        domain_records.numerator_contribution != 0 as is_in_numerator,
        traced_totals.traced_numerator,
        traced_totals.traced_denominator,
        traced_totals.traced_record_count,
        kpi_value.numerator as kpi_numerator,
        kpi_value.denominator as kpi_denominator,
        kpi_value.value as kpi_value,
        kpi_value.unit as kpi_unit,
        kpi_value.record_count as kpi_record_count,
        coalesce(
            abs(traced_totals.traced_numerator - kpi_value.numerator)
            <= 1e-6 * greatest(abs(kpi_value.numerator), 1)
            and (
                kpi_value.denominator is null and traced_totals.traced_denominator is null
                or abs(traced_totals.traced_denominator - kpi_value.denominator)
                <= 1e-6 * greatest(abs(kpi_value.denominator), 1)
            )
            and traced_totals.traced_record_count = kpi_value.record_count,
            false
        ) as is_reconciled
    from domain_records
    cross join traced_totals
    left join kpi_value
        on true
)

select
    kpi_code,
    record_type,
    record_id,
    organisation_id,
    government_layer,
    kpi_year,
    kpi_date,
    supplier_id,
    contract_id,
    product_group_id,
    record_amount,
    numerator_contribution,
    denominator_contribution,
    is_in_numerator,
    traced_numerator,
    traced_denominator,
    traced_record_count,
    kpi_numerator,
    kpi_denominator,
    kpi_value,
    kpi_unit,
    kpi_record_count,
    is_reconciled
from final
order by abs(numerator_contribution) desc, abs(denominator_contribution) desc, record_id asc

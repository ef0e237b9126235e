-- Spend reconciles from the landing to the published KPIs, per invoice year:
--   raw invoice lines minus the rejected ones (governance.rejected_rows), one per key
--   = loaded staging lines = fct_spend lines
--   = the national denominators and record counts of every spend KPI in fct_kpi_values.
-- Fails with one row per (check, year) whose count or amount differs.
{%- set spend_ratio_kpis = ['GEN-04', 'GEN-05', 'KLI-03', 'KLI-04', 'MIL-02', 'DI-02', 'DI-03'] %}
{%- set spend_kpis_without_denominator = ['KLI-02', 'ISV-03'] %}
with

raw_lines as (
    select * from {{ source('landing', 'invoice_lines') }}
),

rejected as (
    select source_key from {{ ref('rejected_rows') }}
    where entity = 'invoice_lines' and source_key is not null
),

staged as (
    select * from {{ ref('stg_landing__invoice_lines') }}
),

spend as (
    select * from {{ ref('fct_spend') }}
),

kpi_values as (
    select * from {{ ref('fct_kpi_values', v=1) }}
    where scope_level = 'national'
),

-- raw minus rejected: every key of its delivering organisation's scope (grouped as staging
-- deduplicates: by scope and key; its copies are exact duplicates, so any copy carries the
-- same amount and date) that was not rejected is one loaded line
raw_per_key as (
    select
        _id_scope,
        trim(invoice_line_id) as invoice_line_id,
        any_value(try_cast(trim(amount) as decimal(18, 2))) as amount,
        any_value(try_cast(trim(invoice_date) as date)) as invoice_date
    from raw_lines
    where
        nullif(trim(invoice_line_id), '') is not null
        and upper(trim(invoice_line_id)) != 'NULL'
    group by _id_scope, trim(invoice_line_id)
),

raw_not_rejected as (
    select
        amount,
        invoice_date
    from raw_per_key
    where not exists (
        select 1 from rejected
        where rejected.source_key = {{ scoped_id('raw_per_key.invoice_line_id') }}
    )
),

per_year as (
    select
        'raw minus rejected' as source_name,
        extract(year from invoice_date) as kpi_year,
        count(*) as line_count,
        sum(amount) as spend
    from raw_not_rejected
    group by source_name, kpi_year
    union all
    select
        'staging' as source_name,
        extract(year from invoice_date) as kpi_year,
        count(*) as line_count,
        sum(amount) as spend
    from staged
    group by source_name, kpi_year
    union all
    select
        'fct_spend' as source_name,
        invoice_year as kpi_year,
        count(*) as line_count,
        sum(amount) as spend
    from spend
    group by source_name, kpi_year
    {%- for kpi_code in spend_ratio_kpis %}
        union all
        select
            'fct_kpi_values {{ kpi_code }}' as source_name,
            year as kpi_year,
            record_count as line_count,
            denominator as spend
        from kpi_values
        where kpi_code = '{{ kpi_code }}'
    {%- endfor %}
    {%- for kpi_code in spend_kpis_without_denominator %}
        union all
        select
            'fct_kpi_values {{ kpi_code }}' as source_name,
            year as kpi_year,
            record_count as line_count,
            null as spend
        from kpi_values
        where kpi_code = '{{ kpi_code }}'
    {%- endfor %}
),

reference_totals as (
    select
        kpi_year,
        line_count,
        spend
    from per_year
    where source_name = 'staging'
),

years as (
    select distinct kpi_year from per_year
),

sources as (
    select distinct source_name from per_year
),

final as (
    select
        sources.source_name,
        years.kpi_year,
        per_year.line_count,
        reference_totals.line_count as staging_line_count,
        per_year.spend,
        reference_totals.spend as staging_spend
    from sources
    cross join years
    left join per_year
        on sources.source_name = per_year.source_name and years.kpi_year = per_year.kpi_year
    left join reference_totals
        on years.kpi_year = reference_totals.kpi_year
    where
        coalesce(per_year.line_count, 0) != coalesce(reference_totals.line_count, 0)
        or (
            per_year.spend is not null
            and {{ floats_differ('cast(per_year.spend as double)', 'cast(reference_totals.spend as double)') }}
        )
        or (
            per_year.spend is null
            and per_year.line_count is not null
            and sources.source_name not in (
                {%- for kpi_code in spend_kpis_without_denominator %}
                    'fct_kpi_values {{ kpi_code }}'{{ "," if not loop.last }}
                {%- endfor %}
            )
        )
)

select * from final

-- grain: one calendar year, every year from the earliest to the latest KPI year in the data
-- KPI years are the years of invoice_date (spend), award_date (awarded tenders), start_date and
-- end_date (contracts) and period_end (social return realisations, material reports). Years
-- in between without any record are included (with zero counts), so that a time axis has
-- no gaps.
with

spend as (
    select * from {{ ref('fct_spend') }}
),

tenders as (
    select * from {{ ref('fct_tenders') }}
),

contracts as (
    select * from {{ ref('fct_contracts') }}
),

realisations as (
    select * from {{ ref('fct_social_return_realisations') }}
),

material_reports as (
    select * from {{ ref('fct_material_reports') }}
),

record_years as (
    select
        invoice_year as record_year,
        'invoice_line' as record_kind
    from spend

    union all

    select
        award_year as record_year,
        'awarded_tender' as record_kind
    from tenders
    where is_awarded

    union all

    select
        start_year as record_year,
        'contract_start' as record_kind
    from contracts

    union all

    select
        end_year as record_year,
        'contract_end' as record_kind
    from contracts

    union all

    select
        period_year as record_year,
        'realisation' as record_kind
    from realisations

    union all

    select
        period_year as record_year,
        'material_report' as record_kind
    from material_reports
),

bounds as (
    select
        min(record_year) as first_year,
        max(record_year) as last_year
    from record_years
    where record_year is not null
),

-- at most 1,000 years of data: far beyond any real delivery
numbers as (
    {{ dbt.generate_series(1000) | indent(4) }}
),

years as (
    select cast(bounds.first_year + numbers.generated_number - 1 as integer) as year  -- noqa: RF04
    from bounds
    cross join numbers
    where bounds.first_year + numbers.generated_number - 1 <= bounds.last_year
),

counts_per_year as (
    select
        record_year,
        sum(case when record_kind = 'invoice_line' then 1 else 0 end) as invoice_line_count,
        sum(case when record_kind = 'awarded_tender' then 1 else 0 end) as awarded_tender_count,
        sum(case when record_kind = 'contract_start' then 1 else 0 end) as contract_start_count,
        sum(case when record_kind = 'contract_end' then 1 else 0 end) as contract_end_count,
        sum(case when record_kind = 'realisation' then 1 else 0 end) as realisation_count,
        sum(case when record_kind = 'material_report' then 1 else 0 end) as material_report_count
    from record_years
    where record_year is not null
    group by record_year
),

final as (
    select
        years.year,
        cast(coalesce(counts_per_year.invoice_line_count, 0) as bigint) as invoice_line_count,
        cast(coalesce(counts_per_year.awarded_tender_count, 0) as bigint) as awarded_tender_count,
        cast(coalesce(counts_per_year.contract_start_count, 0) as bigint) as contract_start_count,
        cast(coalesce(counts_per_year.contract_end_count, 0) as bigint) as contract_end_count,
        cast(coalesce(counts_per_year.realisation_count, 0) as bigint) as realisation_count,
        cast(coalesce(counts_per_year.material_report_count, 0) as bigint) as material_report_count,
        counts_per_year.record_year is not null as has_records
    from years
    left join counts_per_year
        on years.year = counts_per_year.record_year
)

select
    year,
    invoice_line_count,
    awarded_tender_count,
    contract_start_count,
    contract_end_count,
    realisation_count,
    material_report_count,
    has_records
from final

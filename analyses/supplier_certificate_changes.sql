-- Auditor query: which certificate corrections between deliveries move the certificate spend
-- KPIs of past years.
-- grain: one row per (certificate change, kpi_code, invoice_year) with spend whose coverage by
-- that certificate differs between the old and the new version
-- Reads snap_supplier_certificates: each pair of consecutive versions of a certificate is a
-- change (a deletion version covers nothing). For every loaded invoice line of the supplier,
-- the certificate "covers" the line for a KPI when it is of that KPI's kind (KLI-04: a
-- qualifying CO2-Prestatieladder certificate; MIL-02: ISO 14001 or EMAS; DI-02: PSO level
-- >= 1) and valid on the invoice_date (the shared rules, same macros as the KPIs). Spend
-- covered only under the new version is gained, only under the old version lost. An upper
-- bound of the restatement: another certificate of the supplier may still cover a line.
-- Compile with `dbt compile -s supplier_certificate_changes` and run the SQL in
-- target/compiled/mvoi/analyses/ against the build database.
{%- set kpi_kinds = [
    {'code': 'KLI-04', 'macro': is_qualifying_co2_ladder},
    {'code': 'MIL-02', 'macro': is_iso_14001_or_emas},
    {'code': 'DI-02', 'macro': is_pso_level_1_plus},
] %}
with

certificate_versions as (
    select * from {{ ref('snap_supplier_certificates') }}
),

spend as (
    select * from {{ ref('fct_spend') }}
),

versions as (
    select
        certificate_id,
        dbt_valid_from,
        coalesce(cast(dbt_is_deleted as varchar) = 'True', false) as is_deletion,
        supplier_id,
        scheme,
        ladder_version,
        level,
        valid_from,
        valid_to,
        row_number() over (partition by certificate_id order by dbt_valid_from) as version_number
    from certificate_versions
),

coverage as (
    {%- for kind in kpi_kinds %}
        select
            curr.certificate_id,
            curr.dbt_valid_from as changed_at,
            '{{ kind.code }}' as kpi_code,
            spend.invoice_year,
            spend.amount,
            coalesce(
                not prev.is_deletion
                and prev.supplier_id = spend.supplier_id
                and {{ kind.macro('prev') }}
                and {{ certificate_valid_on('prev', 'spend.invoice_date') }},
                false
            ) as covered_before,
            coalesce(
                not curr.is_deletion
                and curr.supplier_id = spend.supplier_id
                and {{ kind.macro('curr') }}
                and {{ certificate_valid_on('curr', 'spend.invoice_date') }},
                false
            ) as covered_after
        from versions as curr
        inner join versions as prev
            on
                curr.certificate_id = prev.certificate_id
                and curr.version_number = prev.version_number + 1
        inner join spend
            on spend.supplier_id in (curr.supplier_id, prev.supplier_id)
        {%- if not loop.last %}

            union all
        {% endif %}
    {%- endfor %}
),

restated as (
    select
        certificate_id,
        changed_at,
        kpi_code,
        invoice_year,
        sum(case when covered_after and not covered_before then amount else 0 end) as spend_gained_eur,
        sum(case when covered_before and not covered_after then amount else 0 end) as spend_lost_eur,
        sum(case when covered_before != covered_after then 1 else 0 end) as invoice_lines_affected
    from coverage
    group by certificate_id, changed_at, kpi_code, invoice_year
)

select
    certificate_id,
    changed_at,
    kpi_code,
    invoice_year,
    spend_gained_eur,
    spend_lost_eur,
    invoice_lines_affected
from restated
where invoice_lines_affected > 0
order by changed_at, certificate_id, kpi_code, invoice_year

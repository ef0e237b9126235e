{#- The spend fact: one row per loaded invoice line, with every enrichment the spend KPIs use.
    Incremental (delete+insert on invoice_line_id). A run re-processes
      1. lines not yet in the table (new or late-arriving lines),
      2. lines whose invoice_date lies within var('spend_lookback_days') of the latest
         invoice_date already loaded (the look-back window for late corrections), and
      3. lines whose enriched content changed (row_fingerprint of the stored line and of its
         enrichment differ): a corrected line, a contract, supplier or certificate change that
         alters its enrichment, a reference seed change;
    and the pre-hook first deletes lines that are no longer loaded (removed from the delivery
    or now rejected; a first build or a full refresh has none, and skips it). Together these
    give exactly the rows of a full refresh. The cost is computing the enrichment (a view:
    this table stores its rows) on every run, and once more for the pre-hook of a later
    run; the write is limited to changed lines. A
    change of this model's columns needs `--full-refresh` (on_schema_change: fail).
    The table lives in its own database file, attached as spend_store (profiles.yml), so that
    the publication starts as a copy of that file instead of rewriting every line
    (mvoi.publish); the post-hook gives the build database a view marts.fct_spend of it. -#}
{%- set fact_columns = [
    'invoice_line_id', 'invoice_number', 'organisation_id', 'government_layer', 'supplier_id',
    'contract_id', 'invoice_date', 'invoice_year', 'amount', 'currency', 'is_credit_note',
    'line_cpv_code', 'effective_cpv_code', 'effective_cpv_source', 'effective_cpv_division',
    'product_group_id', 'sector_id', 'isv_risk_category', 'emission_factor_division',
    'kg_co2e_per_eur', 'kg_co2e', 'has_contract', 'is_reserved_contract', 'is_uncovered_isv_risk',
    'is_known_supplier', 'supplier_size_class', 'is_sme_supplier', 'is_social_enterprise',
    'is_social_enterprise_or_reserved', 'has_qualifying_co2_ladder', 'has_iso_14001_or_emas',
    'has_pso_level_1_plus', 'delivery_id',
] -%}
{{ config(
    materialized='incremental',
    unique_key='invoice_line_id',
    incremental_strategy='delete+insert',
    on_schema_change='fail',
    database='spend_store',
    post_hook=[after_commit("{{ view_in_build_database(this) }}")],
    pre_hook=[
        "{% if is_incremental() %}delete from {{ this }} where not exists (select 1 from {{ ref('int_invoice_lines_enriched') }} as loaded where loaded.invoice_line_id = {{ this }}.invoice_line_id){% endif %}"
    ],
) }}
-- grain: one row per loaded invoice line
with

enriched_lines as (
    select * from {{ ref('int_invoice_lines_enriched') }}
),

lines_to_process as (
    select enriched_lines.*
    from enriched_lines
    {% if is_incremental() %}
        left join {{ this }} as loaded_lines
            on enriched_lines.invoice_line_id = loaded_lines.invoice_line_id
        where
            -- new or late-arriving lines
            loaded_lines.invoice_line_id is null
            -- lines whose content or enrichment changed
            or {{ row_fingerprint(fact_columns, 'loaded_lines') }}
            != {{ row_fingerprint(fact_columns, 'enriched_lines') }}
            -- the look-back window before the latest loaded invoice_date
            or enriched_lines.invoice_date >= (
                select
                    cast({{ dbt.dateadd('day', -1 * var('spend_lookback_days') | int, 'max(invoice_date)') }} as date)
                from {{ this }}
            )
    {% endif %}
),

final as (
    select
        invoice_line_id,
        invoice_number,
        organisation_id,
        government_layer,
        supplier_id,
        contract_id,
        invoice_date,
        invoice_year,
        amount,
        currency,
        is_credit_note,
        line_cpv_code,
        effective_cpv_code,
        effective_cpv_source,
        effective_cpv_division,
        product_group_id,
        sector_id,
        isv_risk_category,
        emission_factor_division,
        kg_co2e_per_eur,
        kg_co2e,
        has_contract,
        is_reserved_contract,
        is_uncovered_isv_risk,
        is_known_supplier,
        supplier_size_class,
        is_sme_supplier,
        is_social_enterprise,
        is_social_enterprise_or_reserved,
        has_qualifying_co2_ladder,
        has_iso_14001_or_emas,
        has_pso_level_1_plus,
        delivery_id
    from lines_to_process
)

select * from final

{% macro with_eu_threshold(records, value, date, thresholds='thresholds') -%}
    {#- The EU-threshold join, written once for contracts (int_contracts_enriched) and
        self-reported tenders (notice_reconciliation): every row of `records` (a CTE with
        contract_type and government_layer) plus eu_threshold_eur, the threshold of its
        contract type and authority class (authority_class of its government layer) in force
        on `date` (both boundary days count; none when the date is null), and
        is_above_threshold, `value` >= that threshold (false when either is null). -#}
select
    {{ records }}.*,
    {{ thresholds }}.threshold_eur as eu_threshold_eur,
    coalesce({{ value }} >= {{ thresholds }}.threshold_eur, false) as is_above_threshold
from {{ records }}
left join {{ thresholds }}
    on
        {{ records }}.contract_type = {{ thresholds }}.contract_type
        and {{ authority_class(records ~ '.government_layer') }} = {{ thresholds }}.authority_class
        and {{ date }} between {{ thresholds }}.valid_from and {{ thresholds }}.valid_to
{%- endmacro %}

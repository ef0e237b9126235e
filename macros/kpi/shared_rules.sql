{#- The shared rules of the KPI register (docs/kpi_register.md, "Shared rules"), each
    written once. Intermediate models call these macros; no KPI re-implements a rule. -#}

{% macro certificate_valid_on(cert, date_column) -%}
    {#- A certificate is valid on date d when valid_from <= d and (valid_to is null or
        d <= valid_to): both boundary days are inside, the day after valid_to is not.
        `cert` is the alias (or relation name) of the certificate rows. -#}
    ({{ cert }}.valid_from <= {{ date_column }}
        and ({{ cert }}.valid_to is null or {{ date_column }} <= {{ cert }}.valid_to))
{%- endmacro %}


{% macro is_qualifying_co2_ladder(cert) -%}
    {#- A qualifying CO2-Prestatieladder certificate: ladder_version 4.0 with level >= 1
        (trede 1-3), or ladder_version 3.1 or unknown (null) with level >= 3. -#}
    ({{ cert }}.scheme = 'co2_prestatieladder'
        and (
            ({{ cert }}.ladder_version = '4.0' and {{ cert }}.level >= 1)
            or (coalesce({{ cert }}.ladder_version, '3.1') = '3.1' and {{ cert }}.level >= 3)
        ))
{%- endmacro %}


{% macro is_iso_14001_or_emas(cert) -%}
    {#- An environmental management certificate: scheme iso_14001 or emas (any level). -#}
    ({{ cert }}.scheme in ('iso_14001', 'emas'))
{%- endmacro %}


{% macro is_pso_level_1_plus(cert) -%}
    {#- A Prestatieladder Socialer Ondernemen certificate of level (trede) 1 or higher;
        level 0 (basistrede / aspirant) does not count. -#}
    ({{ cert }}.scheme = 'pso' and {{ cert }}.level >= 1)
{%- endmacro %}


{% macro authority_class(government_layer) -%}
    {#- EU-threshold authority class: central for the Rijk, sub_central for every other layer. -#}
    case when {{ government_layer }} = 'rijk' then 'central' else 'sub_central' end
{%- endmacro %}


{% macro tender_value(awarded_value, estimated_value) -%}
    {#- Tender value: the awarded value, else the estimated value; null when neither. -#}
    coalesce({{ awarded_value }}, {{ estimated_value }})
{%- endmacro %}


{% macro cpv_division(cpv_code) -%}
    {#- The 2-digit CPV division of an 8-digit CPV code (null stays null). -#}
    substr({{ cpv_code }}, 1, 2)
{%- endmacro %}


{% macro is_sme_size_class(size_class) -%}
    {#- SME (MKB) supplier: size class micro, small or medium; large and unknown are not. -#}
    coalesce({{ size_class }} in ('micro', 'small', 'medium'), false)
{%- endmacro %}


{% macro has_sroi_obligation(sroi_obligation) -%}
    {#- A contract has a social return obligation when sroi_obligation_eur > 0 (null or 0 = none). -#}
    coalesce({{ sroi_obligation }} > 0, false)
{%- endmacro %}


{% macro is_sroi_eligible(contract_type, contract_value, start_date, end_date) -%}
    {#- SROI-eligible: works or services, contract value >= 250,000 and either open-ended or
        running at least 6 months (end_date >= start_date + 6 calendar months; a month-end
        start is clamped to the last day of the target month, e.g. 31 Aug + 6 months = 28/29 Feb). -#}
    coalesce(
        {{ contract_type }} in ('works', 'services')
        and {{ contract_value }} >= 250000
        and (
            {{ end_date }} is null
            or {{ end_date }} >= cast({{ dbt.dateadd('month', 6, start_date) }} as date)
        ),
        false
    )
{%- endmacro %}


{% macro year_of(date_column) -%}
    {#- The KPI year of a date, as an integer (null stays null). -#}
    cast(extract(year from {{ date_column }}) as integer)
{%- endmacro %}



{% macro mvoi_theme_codes() -%}
    {#- The six MVOI theme codes of the landing contract (tender_criteria.theme), in register
        order (used by the product and sector cards for one column per theme). -#}
    {{ return(['milieu', 'klimaat', 'circulair', 'isv', 'diversiteit_inclusie', 'social_return']) }}
{%- endmacro %}

{% macro collect_reasons(checks, more_checks={}) -%}
    {#- A list (varchar[]) of the reason codes whose condition is true, in the order given
        (write them in the order of the entity's rules in the landing contract). `checks` is a mapping
        reason_code -> SQL condition, followed by `more_checks` (rules shared with another model,
        such as tender_record_rules); a null condition counts as false. Empty list when none. -#}
    {%- set all_checks = {} -%}
    {%- do all_checks.update(checks) -%}
    {%- do all_checks.update(more_checks) -%}
    {{- return(adapter.dispatch('collect_reasons', 'mvoi')(all_checks)) -}}
{%- endmacro %}

{% macro duckdb__collect_reasons(checks) -%}
    list_filter(
        [
        {%- for reason_code, condition in checks.items() %}
            case when {{ condition }} then '{{ reason_code }}' end{{ ',' if not loop.last }}
        {%- endfor %}
        ]::varchar [],
        lambda reason_code: reason_code is not null
    )
{%- endmacro %}

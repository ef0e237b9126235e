{% macro collect_reasons(checks) -%}
    {#- A list (varchar[]) of the reason codes whose condition is true, in the order given
        (write them in the order of the entity's rules in the landing contract). `checks` is a mapping
        reason_code -> SQL condition; a null condition counts as false. Empty list when none. -#}
    {{- return(adapter.dispatch('collect_reasons', 'mvoi')(checks)) -}}
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

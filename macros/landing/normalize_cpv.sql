{% macro normalize_cpv(col) -%}
    {#- The 8-digit CPV code when the value has the form 12345678 or 12345678-9 AND the 8 digits
        are a code of the CPV 2008 list (seed cpv_codes); otherwise null (invalid). A wrong check
        digit does not make the code invalid: see cpv_check_digit_mismatch. -#}
    case
        when {{ regex_match(clean_text(col), landing_format('cpv')) }}
            and exists (
                select 1
                from {{ ref('cpv_codes') }} as cpv_list
                where cpv_list.code = substr({{ clean_text(col) }}, 1, 8)
            )
            then substr({{ clean_text(col) }}, 1, 8)
    end
{%- endmacro %}


{% macro cpv_check_digit_mismatch(col) -%}
    {#- True when the value is a known CPV code written with a check digit (12345678-9) that
        differs from the official one in the CPV 2008 list; false otherwise. -#}
    (
        {{ regex_match(clean_text(col), '^[0-9]{8}-[0-9]$') }}
        and exists (
            select 1
            from {{ ref('cpv_codes') }} as cpv_list
            where cpv_list.code = substr({{ clean_text(col) }}, 1, 8)
                and cpv_list.check_digit
                <> substr({{ clean_text(col) }}, 10, 1)
        )
    )
{%- endmacro %}

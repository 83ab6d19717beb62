from django import forms


class MappingRowForm(forms.Form):
    """One editable row of the mapping page; the rules live in `mapping_save`."""

    plezi_key = forms.CharField(max_length=50, widget=forms.HiddenInput)
    zoho_field = forms.CharField(max_length=100, required=False)
    to_zoho = forms.BooleanField(required=False)
    from_zoho = forms.BooleanField(required=False)


MappingFormSet = forms.formset_factory(MappingRowForm, extra=0)

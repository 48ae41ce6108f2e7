//! The application data form: one label's COLA fields as the reviewer types them. The text
//! goes through the same parser as sidecar files ([`Application::from_json`]), so the form
//! accepts exactly what a sidecar does ("13.5%", "beer" for malt beverage, ...).

use crate::application::{Application, ProductType};

/// The form's fields, kept as typed (an ABV being typed is not a number yet).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ApplicationForm {
    pub brand_name: String,
    pub class_type: String,
    pub product_type: Option<ProductType>,
    pub abv: String,
    pub net_contents: String,
    pub bottler: String,
    pub country_of_origin: String,
    pub is_import: Option<bool>,
}

impl ApplicationForm {
    pub fn from_application(app: Option<&Application>) -> Self {
        let Some(app) = app else { return Self::default() };
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        Self {
            brand_name: text(&app.brand_name),
            class_type: text(&app.class_type),
            product_type: app.product_type,
            abv: app.abv.map(|v| format!("{v}")).unwrap_or_default(),
            net_contents: text(&app.net_contents),
            bottler: text(&app.bottler),
            country_of_origin: text(&app.country_of_origin),
            is_import: app.is_import,
        }
    }

    /// The application the form describes; `None` when every field is empty. The error names
    /// the field that does not parse.
    pub fn to_application(&self) -> Result<Option<Application>, String> {
        let mut object = serde_json::Map::new();
        let mut put = |key: &str, value: &str| {
            if !value.trim().is_empty() {
                object.insert(key.into(), serde_json::Value::String(value.trim().into()));
            }
        };
        put("brand_name", &self.brand_name);
        put("class_type", &self.class_type);
        put("abv", &self.abv);
        put("net_contents", &self.net_contents);
        put("bottler", &self.bottler);
        put("country_of_origin", &self.country_of_origin);
        if let Some(product) = self.product_type {
            object.insert("product_type".into(), product.as_str().into());
        }
        if let Some(import) = self.is_import {
            object.insert("is_import".into(), import.into());
        }
        let app = Application::from_json(&serde_json::Value::Object(object).to_string()).map_err(|e| {
            let text = e.to_string();
            if text.contains("abv") {
                format!("Alcohol content must be a number, such as 13.5 ({})", self.abv.trim())
            } else {
                text
            }
        })?;
        if let Some(abv) = app.abv
            && !(0.0..=100.0).contains(&abv)
        {
            return Err(format!("Alcohol content must be between 0 and 100 percent ({abv})"));
        }
        Ok((!app.is_empty()).then_some(app))
    }

    /// Draws the form; returns whether anything changed this frame.
    pub fn ui(&mut self, ui: &mut egui::Ui) -> bool {
        let mut changed = false;
        egui::Grid::new("application_form").num_columns(2).spacing([8.0, 6.0]).show(ui, |ui| {
            let text_row = |ui: &mut egui::Ui, name: &str, value: &mut String, hint: &str| {
                let label = ui.label(name);
                let edited = ui
                    .add(egui::TextEdit::singleline(value).hint_text(hint).desired_width(f32::INFINITY))
                    .labelled_by(label.id)
                    .changed();
                ui.end_row();
                edited
            };
            changed |= text_row(ui, "Brand name", &mut self.brand_name, "Stone's Throw");
            changed |= text_row(ui, "Class / type", &mut self.class_type, "Cabernet Sauvignon");
            let label = ui.label("Product type");
            let before = self.product_type;
            egui::ComboBox::from_id_salt("product_type")
                .selected_text(product_name(self.product_type))
                .show_ui(ui, |ui| {
                    for choice in
                        [None, Some(ProductType::Wine), Some(ProductType::Spirits), Some(ProductType::MaltBeverage)]
                    {
                        ui.selectable_value(&mut self.product_type, choice, product_name(choice));
                    }
                })
                .response
                .labelled_by(label.id);
            changed |= before != self.product_type;
            ui.end_row();
            changed |= text_row(ui, "Alcohol, % by volume", &mut self.abv, "13.5");
            changed |= text_row(ui, "Net contents", &mut self.net_contents, "750 mL");
            changed |= text_row(ui, "Bottler / importer", &mut self.bottler, "Bottled by …, City, ST");
            changed |= text_row(ui, "Country of origin", &mut self.country_of_origin, "France");
            let label = ui.label("Imported");
            let before = self.is_import;
            egui::ComboBox::from_id_salt("is_import")
                .selected_text(import_name(self.is_import))
                .show_ui(ui, |ui| {
                    for choice in [None, Some(true), Some(false)] {
                        ui.selectable_value(&mut self.is_import, choice, import_name(choice));
                    }
                })
                .response
                .labelled_by(label.id);
            changed |= before != self.is_import;
            ui.end_row();
        });
        changed
    }
}

fn product_name(product: Option<ProductType>) -> &'static str {
    match product {
        None => "Not stated",
        Some(ProductType::Wine) => "Wine",
        Some(ProductType::Spirits) => "Distilled spirits",
        Some(ProductType::MaltBeverage) => "Malt beverage",
    }
}

fn import_name(import: Option<bool>) -> &'static str {
    match import {
        None => "Not stated",
        Some(true) => "Yes",
        Some(false) => "No",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_round_trips_and_names_bad_numbers() {
        let app = Application {
            brand_name: Some("Stone's Throw".into()),
            abv: Some(13.5),
            product_type: Some(ProductType::Wine),
            is_import: Some(false),
            ..Default::default()
        };
        let mut form = ApplicationForm::from_application(Some(&app));
        assert_eq!(form.abv, "13.5");
        assert_eq!(form.to_application().unwrap(), Some(app));
        form.abv = "13.5%".into();
        assert_eq!(form.to_application().unwrap().and_then(|a| a.abv), Some(13.5));
        form.abv = "strong".into();
        assert!(form.to_application().unwrap_err().contains("Alcohol content"));
        form.abv = "130".into();
        assert!(form.to_application().unwrap_err().contains("between 0 and 100"));
        assert_eq!(ApplicationForm::default().to_application().unwrap(), None);
    }
}

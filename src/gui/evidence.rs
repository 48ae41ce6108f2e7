//! The evidence view: the label's preview in a zoomable, pannable scene with every check's boxes
//! drawn over it in its outcome's colour, and the government warning compared word by word with
//! the statute.
//!
//! The scene's coordinates are pixels of the image as stored, the coordinates of the report's
//! boxes, so boxes need no mapping; the preview texture is simply stretched over that rectangle.

use egui::text::{LayoutJob, TextFormat};
use egui::{Color32, FontId, Rect, Sense, Stroke, StrokeKind, TextureHandle, Vec2, pos2, vec2};

use super::app::{Command, field_name, outcome_color};
use crate::ocr::BBox;
use crate::report::{Check, Report};
use crate::rules::warning::{WordDiff, align_warning};

/// The smallest part of the label a focused check shows, as a share of the image's width: a
/// box alone would fill the view and lose where on the label it sits.
const FOCUS_MIN_SHARE: f32 = 0.8;

/// The whole image.
pub fn whole(image_size: [u32; 2]) -> Rect {
    Rect::from_min_size(pos2(0.0, 0.0), vec2(image_size[0].max(1) as f32, image_size[1].max(1) as f32))
}

/// The part of the image that brings `boxes` into view with some of the label around them,
/// shaped like the view (`aspect` is its width over its height) and kept on the image where it
/// fits, so the view shows label rather than empty canvas.
pub fn focus(image_size: [u32; 2], boxes: &[BBox], aspect: f32) -> Rect {
    let Some(b) = BBox::enclosing(boxes) else { return whole(image_size) };
    let image = whole(image_size);
    let rect = Rect::from_min_size(pos2(b.x as f32, b.y as f32), vec2(b.w as f32, b.h as f32));
    let min_side = image.width() * FOCUS_MIN_SHARE;
    let mut size = Vec2::new(rect.width().max(min_side), rect.height().max(min_side * 0.5)) * 1.15;
    let aspect = if aspect.is_finite() && aspect > 0.0 { aspect } else { 1.6 };
    if size.x / size.y < aspect {
        size.x = size.y * aspect;
    } else {
        size.y = size.x / aspect;
    }
    let mut view = Rect::from_center_size(rect.center(), size);
    // Slide it onto the image along each side the image is larger than the view.
    let shift = |lo: f32, hi: f32, min: f32, max: f32| {
        if hi - lo >= max - min {
            (min + max) / 2.0 - (lo + hi) / 2.0
        } else if lo < min {
            min - lo
        } else if hi > max {
            max - hi
        } else {
            0.0
        }
    };
    view = view.translate(vec2(
        shift(view.min.x, view.max.x, image.min.x, image.max.x),
        shift(view.min.y, view.max.y, image.min.y, image.max.y),
    ));
    view
}

/// Draws the scene. `view` is the visible part of the image, kept by the app between frames;
/// clicking a box selects its check. Returns the view's width over its height.
pub fn scene_ui(
    ui: &mut egui::Ui,
    texture: &TextureHandle,
    image_size: [u32; 2],
    report: &Report,
    selected: Option<&str>,
    view: &mut Rect,
    commands: &mut Vec<Command>,
) -> f32 {
    let image_rect = whole(image_size);
    let available = ui.available_size();
    let frame = egui::Frame::canvas(ui.style()).inner_margin(0.0);
    frame.show(ui, |ui| {
        ui.set_min_size(ui.available_size());
        egui::Scene::new().zoom_range(0.02..=8.0).max_inner_size(image_rect.size()).show(ui, view, |ui| {
            let zoom = ui.ctx().layer_transform_to_global(ui.layer_id()).map_or(1.0, |t| t.scaling).max(1e-3);
            ui.put(image_rect, egui::Image::from_texture((texture.id(), image_rect.size())).alt_text("Label image"));
            let painter = ui.painter().clone();
            // Unselected checks first, so the selected one is drawn on top.
            let order = report
                .checks
                .iter()
                .enumerate()
                .filter(|(_, c)| Some(c.field.as_str()) != selected)
                .chain(report.checks.iter().enumerate().filter(|(_, c)| Some(c.field.as_str()) == selected));
            for (index, check) in order {
                let is_selected = Some(check.field.as_str()) == selected;
                let color = outcome_color(check.outcome);
                let width = if is_selected { 3.5 } else { 1.5 } / zoom;
                for (n, b) in check.boxes.iter().enumerate() {
                    let r = Rect::from_min_size(pos2(b.x as f32, b.y as f32), vec2(b.w as f32, b.h as f32))
                        .expand(2.0 / zoom);
                    if is_selected {
                        painter.rect_filled(r, 2.0 / zoom, color.gamma_multiply(0.18));
                    }
                    painter.rect_stroke(r, 2.0 / zoom, Stroke::new(width, color), StrokeKind::Outside);
                    let id = ui.scope_id().with(("evidence", index, n));
                    let response = ui.interact(r, id, Sense::click());
                    if is_selected && n == 0 {
                        let name = format!("Highlighted evidence: {}", field_name(&check.field));
                        response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Mark, true, &name));
                    }
                    let response = response.on_hover_text(format!(
                        "{} ({})\n{}",
                        field_name(&check.field),
                        check.outcome.as_str(),
                        check.message
                    ));
                    if response.clicked() {
                        commands.push(Command::SelectCheck(index));
                    }
                }
            }
        });
    });
    available.x / available.y.max(1.0)
}

/// The label's warning against 27 CFR 16.21, word by word: changed, missing and extra words
/// marked. Nothing is drawn when no warning was found.
pub fn warning_diff_ui(ui: &mut egui::Ui, report: &Report) {
    let Some(found) = warning_words(report) else {
        if report.checks.iter().any(|c| c.field == "government_warning") {
            ui.colored_label(
                outcome_color(crate::report::Outcome::Fail),
                "No government warning was found on the label.",
            );
        }
        return;
    };
    let words: Vec<&str> = found.split_whitespace().collect();
    let diff = align_warning(&words);
    let differences = diff.iter().filter(|d| !matches!(d, WordDiff::Same(_))).count();
    if differences == 0 {
        ui.label("Every word matches the statute.");
    } else {
        ui.label(format!("{differences} difference{} from the statute:", if differences == 1 { "" } else { "s" }));
    }
    ui.label(diff_job(ui, &diff));
    ui.horizontal_wrapped(|ui| {
        ui.spacing_mut().item_spacing.x = 10.0;
        let small = |text: &str, color: Color32| egui::RichText::new(text).small().color(color);
        ui.label(small("struck out: the statute's word, missing or changed", MISSING));
        ui.label(small("underlined: on the label, not in the statute", EXTRA));
    });
}

const MISSING: Color32 = Color32::from_rgb(215, 50, 40);
const EXTRA: Color32 = Color32::from_rgb(210, 120, 0);

/// What the label's warning says, header included, as the presence check found it.
fn warning_words(report: &Report) -> Option<&str> {
    report.checks.iter().find(|c| c.field == "government_warning").and_then(|c: &Check| c.found.as_deref())
}

fn diff_job(ui: &egui::Ui, diff: &[WordDiff]) -> LayoutJob {
    let font = FontId::proportional(13.0);
    let plain = TextFormat { font_id: font.clone(), color: ui.visuals().text_color(), ..Default::default() };
    let missing = TextFormat { strikethrough: Stroke::new(1.5, MISSING), color: MISSING, ..plain.clone() };
    let extra = TextFormat { underline: Stroke::new(1.5, EXTRA), color: EXTRA, ..plain.clone() };
    let mut job = LayoutJob::default();
    job.wrap.max_width = ui.available_width();
    for word in diff {
        match word {
            WordDiff::Same(w) => job.append(w, 0.0, plain.clone()),
            WordDiff::Missing(w) => job.append(w, 0.0, missing.clone()),
            WordDiff::Extra(w) => job.append(w, 0.0, extra.clone()),
            WordDiff::Changed { expected, found } => {
                job.append(expected, 0.0, missing.clone());
                job.append(found, 4.0, extra.clone());
            }
        }
        job.append(" ", 0.0, plain.clone());
    }
    job
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn focus_keeps_context_around_a_box() {
        let size = [1000, 1400];
        let r = focus(size, &[BBox::new(400, 500, 100, 20)], 2.0);
        assert!(r.contains_rect(Rect::from_min_size(pos2(400.0, 500.0), vec2(100.0, 20.0))));
        assert!(r.width() >= 600.0, "{r:?}");
        assert!((r.width() / r.height() - 2.0).abs() < 1e-3, "shaped like the view: {r:?}");
        assert_eq!(focus(size, &[], 2.0), whole(size));
        // A box at the edge: the view slides onto the image.
        let r = focus(size, &[BBox::new(0, 700, 50, 20)], 2.0);
        assert!(r.min.x >= 0.0, "{r:?}");
        assert!(r.contains_rect(Rect::from_min_size(pos2(0.0, 700.0), vec2(50.0, 20.0))));
    }
}

"""The image document: layers, selection, compositing, history commands, file formats (no Qt, no torch).

API summary (import from the submodules; this package imports nothing heavy):

- geometry: ``Rect(x, y, w, h)`` with intersect, union, clip(w, h), translate, expand, contains, slices().
- layer: ``BlendMode`` (every OpenRaster composite-op: NORMAL, MULTIPLY, ..., COLOR_DODGE, HUE, PLUS,
  DST_IN, SRC_ATOP, ...; values "normal", "color-dodge", ...; ``.label``, ``.clears_outside``,
  ``.shows_alone``); blend_modes: ``blend_planes(cb, ab, cs, a_s, mode)`` (W3C formulas);
  ``Layer(pixels H,W,4 uint8 straight alpha, name, visible, opacity, blend, offset=(x, y), metadata, uid,
  foreign_op, mask=None, mask_enabled=True)`` (``.reach``: where it can change the composite;
  ``.mask`` H,W uint8 composites as alpha x mask / 255 when ``.masked``; ``.shown_pixels(slices)`` the
  pixels as they composite; ``apply_mask(pixels, mask)``),
  ``Layer.blank(w, h, name)``, ``Layer.filled(w, h, rgba, name)``, ``.bounds``, ``.copy()``,
  ``.content_bounds()`` (bbox of non-zero shown alpha, layer coordinates).
- compositing: ``composite(layers, width, height, rect=None) -> H,W,4 uint8``,
  ``composite_rect(layers, rect)`` (fast chunked path in planar.py, threaded),
  ``composite_reference(layers, rect)`` (the slow reference maths: ``to_premultiplied``, ``blend_into``,
  ``to_straight_uint8``), ``parallel_map(work, items)``,
  ``TileCache(render, width, height).get(rect) / .invalidate(rect)``.
- group / group_commands / group_compositing: ``LayerGroup`` (``is_group``; name, visible, opacity, blend,
  ``pass_through`` (default), ``collapsed``, uid, ``parent``); ``doc.layers`` is flat, painter's order, a
  group directly above its descendants, every node's ``parent`` the uid of its group; ``doc.active_node``
  (layer or group) vs ``doc.active_layer`` (raster only); ``raster_layers()``, ``children(uid)``,
  ``descendants(uid)``,
  ``block(uid)``, ``depth(uid)``, ``node_reach(uid)``, ``arrangement()`` / ``set_arrangement(a, touched)``;
  steps ``NewGroup``, ``GroupLayers``, ``Ungroup``, ``MoveNode``, ``move_within_siblings``, ``DuplicateNode``,
  ``MergeGroup``, ``SetGroupMode``, ``OffsetLayers`` (docs/ARCHITECTURE.md, "Layer groups: the model");
  node_sets: ``roots(doc, uids)``, ``MoveNodes(uids, parent, position)``, ``RemoveNodes(uids)``,
  ``DuplicateNodes(uids)`` (several chosen rows, one step each); group_masks: an isolated group's ``mask``
  (the canvas's size, ``mask_over(mask, rect)``), refused on pass-through groups.
- document: ``Document(width, height)`` with ``.layers`` (bottom to top), ``.active_uid``, ``.active_layer``,
  ``.selection``, ``layer_by_uid(uid)``, ``find_layer(uid)``, ``index_of(uid)``, ``set_active(uid)``,
  ``new_layer(name)``, ``write_mask(uid, rect, values)``, ``set_mask(uid, mask, enabled)``,
  ``edits_mask`` / ``set_editing_mask(on)`` (painting goes to the active layer's or group's mask),
  ``composite(rect=None)`` (tile cached), ``subscribe(callback) -> unsubscribe``;
  callbacks receive ``Change(rect: Rect | None, structure: bool, pixels: bool, selection: bool)`` after every
  mutation (pixels / selection False: that part did not change).
- selection: ``Selection`` (``.coverage`` H,W float32 in [0, 1], 1 = selected) with ``combine(op, cov)``,
  ``invert``, ``select_all``, ``clear``, ``grow(px)``, ``shrink(px)``, ``feather(radius)``, ``bbox()``,
  ``components()``, ``is_empty()``, ``copy()``; ``SelectionOp`` REPLACE/ADD/SUBTRACT/INTERSECT;
  ``rect_coverage(size, rect)``, ``ellipse_coverage(size, rect)``, ``polygon_coverage(size, points)``,
  ``magic_wand(image, x, y, tolerance, contiguous=True)``; size is (width, height).
- brush: ``BrushSettings(size, hardness, opacity, color, eraser, spacing)``, ``dab_mask(size, hardness)``,
  ``Stroke(document, layer_uid, settings)``: ``dab(x, y, pressure) -> Rect``, ``finish() -> PixelEdit``.
- commands: ``Command`` (text, redo(doc), undo(doc), merge_key, try_merge(other), nbytes, sealed);
  ``PixelEdit``, ``AddLayer``, ``RemoveLayer``, ``MoveLayer``, ``SetLayerProperty``, ``SetSelection``
  (``SetSelection.from_change(doc, fn)``), ``MergeDown`` (bakes the lower layer's mask), ``Flatten``.
- mask_commands / mask_brush: ``ChangeMask`` steps from ``add_mask(doc, uid, "white"|"black"|"selection")``,
  ``invert_mask``, ``toggle_mask``, ``apply_mask_step``, ``delete_mask``; ``MaskEdit`` (painted mask
  rects); ``alpha_as_mask(pixels, rect)`` (a generated result's alpha moved into a mask);
  ``MaskStroke`` (brush paints its colour's grey, eraser paints black).
- history: ``History(budget_bytes, max_steps)`` with push(doc, cmd), undo(doc), redo(doc), seal(),
  can_undo, can_redo, total_bytes.
- inpaint_crop: ``context_rect(bbox, width, height)``,
  ``inpaint_crop(composite, coverage, sizes) -> ContextCrop``
  (``sizes``: ``ModelSizes(source, mask, threshold)``, the model's, from the caller;
  ``.placement``, ``.source256`` source x source x 3 uint8, ``.selection64`` mask x mask float32),
  ``text2im_placement(w, h)``, ``place_result(image256, placement, w, h) -> H,W,4`` (a full-size layer:
  the result scaled into the square, alpha from the placement).
- transform_ops / transform_commands: ``Crop(rect)``, ``canvas_crop(w, h, new_w, new_h, anchor)``,
  ``Resize(w, h)``, ``Rotate(turns)``, ``Flip(Axis)``; ``TransformImage(op, text)``, ``FlipLayer(uid, axis)``.
- adjustments / adjust_preview: ``HueSaturation``, ``BrightnessContrast``, ``Levels``, ``Curves``,
  ``adjust(pixels, adjustment, coverage)``, ``histogram(pixels, coverage)``;
  ``AdjustmentPreview.for_active_layer(doc)`` with show(adj), step(), finish(), commit(text), cancel().
- inpaint_composite: ``Blend(feather, match_colour)``,
  ``blend_into(picture, image256, rect, coverage, blend)``
  (the picture with the result blended in under the selection; outside it bit-identical),
  ``selection_alpha(coverage, rect, feather)``.
- selected: ``selected_pixels(pixels, bounds, selection)`` (pixels under the selection, alpha scaled).
- files: ``open_image``, ``open_any(path, notes=list)`` (only ``DocumentFileError`` comes out; notes gets
  what to tell the user), ``read_image`` (the one decoder, also the CLI's), ``load_ora``, ``save_ora``,
  ``export_flat``, ``atomic_write(path, fn, overwrite_read_only)``, ``DocumentFileError`` (a user-facing
  ``message``), ``ReadOnlyFileError`` (ask, then retry with overwrite).
"""

# SPDX-License-Identifier: LGPL-2.1-or-later
"""The torchvision transforms that ``Lt.transforms`` has in Python (on top
of the C ones of data.py), ``download=True`` for MNIST and Fashion-MNIST,
and ``Lt.backends``.

The transforms take (C, H, W) (or (..., C, H, W)) tensors, float in [0, 1]
or uint8, and follow torchvision 0.14's tensor functionals
(torchvision.transforms.functional_tensor): the same arithmetic in
float32, the same rounding back to uint8.  Their random parameters are
drawn from the global generator (``Lt.manual_seed``), in the order
torchvision draws them; the values differ from torch's for the same seed.
``PILToTensor`` and ``ToPILImage`` need PIL (python3-pil).
"""

from __future__ import annotations

import math
import numbers
import os
import warnings
from typing import Any, Sequence

from .common import Lt, loaded_numpy, namespace
from .common import RuntimeError_, TypeError_, ValueError_

_GITensor = Lt.Tensor

__all__ = ['vision_transforms', 'vision_functional', 'backends', 'mnist_root']


def _np():
    import numpy as np
    return np


def _array(img, name):
    if not isinstance(img, _GITensor):
        raise TypeError_('%s: img should be a Tensor, got %s' % (name, type(img).__name__))
    if img.get_n_dims() < 2:
        raise TypeError_('%s: expected a tensor of at least 2 dimensions, got %d'
                        % (name, img.get_n_dims()))
    return img.numpy()


def _tensor(a):
    from .creation import tensor
    return tensor(_np().ascontiguousarray(a))


def _uniform(lo, hi):
    from .creation import rand
    return lo + (hi - lo) * float(rand(1).tolist()[0])


def _randint(lo, hi):
    """An integer in [lo, hi)."""
    return min(lo + int(_uniform(0, 1) * (hi - lo)), hi - 1)


def _is_int(a):
    return a.dtype.kind in 'iub'


def _finish(out, like):
    """Back to the input's dtype: uint8 images are rounded, as torchvision's
    _cast_squeeze_out does."""
    np = _np()
    if _is_int(like):
        out = np.round(out)
    return out.astype(like.dtype)


def _bound(a):
    return 255.0 if _is_int(a) else 1.0


def _blend(img1, img2, ratio, like):
    """ratio img1 + (1 - ratio) img2 in float32, clamped, truncated back to
    the input's dtype (torchvision's _blend)."""
    np = _np()
    ratio = float(ratio)
    out = np.float32(ratio) * img1 + np.float32(1.0 - ratio) * img2
    return np.clip(out, 0, _bound(like)).astype(like.dtype)


def _gray(a):
    np = _np()
    r, g, b = a[..., 0, :, :], a[..., 1, :, :], a[..., 2, :, :]
    out = (0.2989 * r + 0.587 * g + 0.114 * b).astype(a.dtype)
    return np.expand_dims(out, -3)


# --- functionals -----------------------------------------------------------

def adjust_brightness(img: Any, brightness_factor: float) -> Any:
    if brightness_factor < 0:
        raise ValueError_('brightness_factor ({}) is not non-negative.'.format(brightness_factor))
    np = _np()
    a = _array(img, 'adjust_brightness')
    f = a.astype(np.float32)
    return _tensor(_blend(f, np.zeros_like(f), brightness_factor, a))


def adjust_contrast(img: Any, contrast_factor: float) -> Any:
    if contrast_factor < 0:
        raise ValueError_('contrast_factor ({}) is not non-negative.'.format(contrast_factor))
    np = _np()
    a = _array(img, 'adjust_contrast')
    gray = _gray(a) if a.shape[-3] == 3 else a
    mean = gray.astype(np.float32).mean(axis=(-3, -2, -1), keepdims=True, dtype=np.float32)
    return _tensor(_blend(a.astype(np.float32), mean, contrast_factor, a))


def adjust_saturation(img: Any, saturation_factor: float) -> Any:
    if saturation_factor < 0:
        raise ValueError_('saturation_factor ({}) is not non-negative.'.format(saturation_factor))
    np = _np()
    a = _array(img, 'adjust_saturation')
    if a.shape[-3] == 1:
        return img
    return _tensor(_blend(a.astype(np.float32), _gray(a).astype(np.float32),
                          saturation_factor, a))


def _rgb2hsv(a):
    np = _np()
    r, g, b = a[..., 0, :, :], a[..., 1, :, :], a[..., 2, :, :]
    maxc, minc = a.max(axis=-3), a.min(axis=-3)
    eqc = maxc == minc
    cr = maxc - minc
    ones = np.ones_like(maxc)
    s = cr / np.where(eqc, ones, maxc)
    cr_divisor = np.where(eqc, ones, cr)
    rc, gc, bc = (maxc - r) / cr_divisor, (maxc - g) / cr_divisor, (maxc - b) / cr_divisor
    hr = (maxc == r) * (bc - gc)
    hg = ((maxc == g) & (maxc != r)) * (2.0 + rc - bc)
    hb = ((maxc != g) & (maxc != r)) * (4.0 + gc - rc)
    h = (hr + hg + hb)
    h = np.fmod((h / 6.0 + 1.0), 1.0)
    return np.stack((h, s, maxc), axis=-3).astype(np.float32)


def _hsv2rgb(a):
    np = _np()
    h, s, v = a[..., 0, :, :], a[..., 1, :, :], a[..., 2, :, :]
    i = np.floor(h * 6.0)
    f = (h * 6.0) - i
    i = i.astype(np.int32)
    p = np.clip(v * (1.0 - s), 0.0, 1.0)
    q = np.clip(v * (1.0 - s * f), 0.0, 1.0)
    t = np.clip(v * (1.0 - s * (1.0 - f)), 0.0, 1.0)
    i = i % 6
    choices = [(v, t, p), (q, v, p), (p, v, t), (p, q, v), (t, p, v), (v, p, q)]
    out = np.zeros(a.shape, dtype=np.float32)
    for k, (cr, cg, cb) in enumerate(choices):
        m = i == k
        out[..., 0, :, :] += m * cr
        out[..., 1, :, :] += m * cg
        out[..., 2, :, :] += m * cb
    return out


def adjust_hue(img: Any, hue_factor: float) -> Any:
    if not -0.5 <= hue_factor <= 0.5:
        raise ValueError_('hue_factor ({}) is not in [-0.5, 0.5].'.format(hue_factor))
    np = _np()
    a = _array(img, 'adjust_hue')
    if a.shape[-3] == 1:
        return img
    f = a.astype(np.float32) / 255.0 if a.dtype == np.uint8 else a.astype(np.float32)
    hsv = _rgb2hsv(f)
    hsv[..., 0, :, :] = np.fmod(hsv[..., 0, :, :] + np.float32(hue_factor), 1.0)
    # Python's % (always non-negative), as torch's remainder
    hsv[..., 0, :, :] = np.where(hsv[..., 0, :, :] < 0, hsv[..., 0, :, :] + 1.0,
                                 hsv[..., 0, :, :])
    out = _hsv2rgb(hsv)
    if a.dtype == np.uint8:
        return _tensor((out * 255.0).astype(np.uint8))
    return _tensor(out.astype(a.dtype))


def _gaussian_kernel1d(k, sigma):
    np = _np()
    half = (k - 1) * 0.5
    x = np.linspace(-half, half, k, dtype=np.float32)
    pdf = np.exp(-0.5 * (x / np.float32(sigma)) ** 2)
    return (pdf / pdf.sum()).astype(np.float32)


def gaussian_blur(img: Any, kernel_size: Sequence[int] | int,
                  sigma: Sequence[float] | float | None = None) -> Any:
    """A Gaussian blur with reflected borders, as torchvision's
    F.gaussian_blur (kernel_size (x, y), sigma (x, y))."""
    np = _np()
    if isinstance(kernel_size, numbers.Integral):
        kernel_size = [int(kernel_size), int(kernel_size)]
    kernel_size = list(kernel_size)
    if len(kernel_size) == 1:
        kernel_size = kernel_size * 2
    for k in kernel_size:
        if k % 2 == 0 or k < 0:
            raise ValueError_('kernel_size should have odd and positive integers. Got {}'
                             .format(kernel_size))
    if sigma is None:
        sigma = [k * 0.15 + 0.35 for k in kernel_size]
    if isinstance(sigma, numbers.Real):
        sigma = [float(sigma)] * 2
    sigma = [float(s) for s in sigma]
    if len(sigma) == 1:
        sigma = sigma * 2
    for s in sigma:
        if s <= 0.0:
            raise ValueError_('sigma should have positive values. Got {}'.format(sigma))
    a = _array(img, 'gaussian_blur')
    f = a.astype(np.float32)
    kx = _gaussian_kernel1d(kernel_size[0], sigma[0])
    ky = _gaussian_kernel1d(kernel_size[1], sigma[1])
    px, py = kernel_size[0] // 2, kernel_size[1] // 2
    pad = [(0, 0)] * (f.ndim - 2) + [(py, py), (px, px)]
    p = np.pad(f, pad, mode='reflect')
    h, w = f.shape[-2:]
    # the 2-D kernel ky x kx, applied as torch's conv2d (a correlation)
    kernel = np.outer(ky, kx).astype(np.float32)
    out = np.zeros_like(f)
    for dy in range(kernel.shape[0]):
        for dx in range(kernel.shape[1]):
            out += kernel[dy, dx] * p[..., dy:dy + h, dx:dx + w]
    return _tensor(_finish(out, a))


def erase(img: Any, i: int, j: int, h: int, w: int, v: Any, inplace: bool = False) -> Any:
    """img with the rectangle (i, j, h, w) set to v, as torchvision's F.erase."""
    np = _np()
    a = _array(img, 'erase')
    vv = v.numpy() if isinstance(v, _GITensor) else np.asarray(v)
    if inplace:
        raise ValueError_('erase: inplace=True is not supported; use the returned tensor')
    out = a.copy()
    out[..., i:i + h, j:j + w] = vv
    return _tensor(out)


def resized_crop(img: Any, top: int, left: int, height: int, width: int, size: Any,
                 interpolation: Any = None, antialias: bool | None = None) -> Any:
    from .data import _f_crop, _f_resize
    return _f_resize(_f_crop(img, top, left, height, width), size, interpolation)


def pil_to_tensor(pic: Any) -> Any:
    """A PIL image as a uint8 (C, H, W) tensor, as torchvision's F.pil_to_tensor."""
    np = _np()
    a = np.array(pic, copy=True)
    if a.ndim == 2:
        a = a[:, :, None]
    return _tensor(a.transpose(2, 0, 1))


def to_pil_image(pic: Any, mode: str | None = None) -> Any:
    """A (C, H, W) tensor or (H, W, C) array as a PIL image, as torchvision's
    F.to_pil_image: floats in [0, 1] are scaled to bytes."""
    np = _np()
    from PIL import Image
    if isinstance(pic, _GITensor):
        a = pic.numpy()
        if a.ndim == 2:
            a = a[None]
        if a.ndim != 3:
            raise ValueError_('pic should be 2/3 dimensional. Got {} dimensions.'.format(a.ndim))
        a = a.transpose(1, 2, 0)
        if a.dtype.kind == 'f' and mode != 'F':
            a = (a * 255).astype(np.uint8)
    else:
        a = np.asarray(pic)
        if a.ndim == 2:
            a = a[:, :, None]
    if a.shape[2] == 1:
        a = a[:, :, 0]
        if mode is None:
            mode = {'uint8': 'L', 'int16': 'I;16', 'int32': 'I', 'float32': 'F'}.get(
                str(a.dtype))
        return Image.fromarray(a, mode=mode)
    if mode is None:
        mode = {3: 'RGB', 4: 'RGBA', 2: 'LA'}.get(a.shape[2])
        if mode is None:
            raise TypeError_('Input type {} is not supported'.format(a.dtype))
    return Image.fromarray(np.ascontiguousarray(a), mode=mode)


def _inverse_affine_matrix(center, angle, translate, scale, shear):
    """The inverse of the affine map (rotation about center, scale, shear,
    then translation), as torchvision's _get_inverse_affine_matrix."""
    rot = math.radians(angle)
    sx, sy = math.radians(shear[0]), math.radians(shear[1])
    cx, cy = center
    tx, ty = translate
    a = math.cos(rot - sy) / math.cos(sy)
    b = -math.cos(rot - sy) * math.tan(sx) / math.cos(sy) - math.sin(rot)
    c = math.sin(rot - sy) / math.cos(sy)
    d = -math.sin(rot - sy) * math.tan(sx) / math.cos(sy) + math.cos(rot)
    m = [x / scale for x in (d, -b, 0.0, -c, a, 0.0)]
    m[2] += m[0] * (-cx - tx) + m[1] * (-cy - ty) + cx
    m[5] += m[3] * (-cx - tx) + m[4] * (-cy - ty) + cy
    return m


def _mode(interpolation):
    name = 'nearest' if interpolation is None else \
        str(getattr(interpolation, 'value', interpolation)).lower().split('.')[-1]
    if name not in ('nearest', 'bilinear'):
        raise ValueError_('interpolation %r is not supported (nearest or bilinear)'
                         % (interpolation,))
    return name


def _grid_transform(a, matrix, ow, oh, mode, fill):
    """The image sampled at the affine grid of @matrix (output ow x oh),
    as torchvision's _gen_affine_grid and _apply_grid_transform over
    grid_sample (align_corners=False, zeros outside), in float32."""
    np = _np()
    f32 = np.float32
    h, w = a.shape[-2:]
    img = a.astype(f32)
    theta = np.array(matrix, dtype=f32).reshape(2, 3)
    xs = np.linspace(-ow * 0.5 + 0.5, ow * 0.5 + 0.5 - 1, ow, dtype=f32)
    ys = np.linspace(-oh * 0.5 + 0.5, oh * 0.5 + 0.5 - 1, oh, dtype=f32)
    base = np.ones((oh, ow, 3), dtype=f32)
    base[..., 0] = xs[None, :]
    base[..., 1] = ys[:, None]
    rescaled = (theta.T / np.array([0.5 * w, 0.5 * h], dtype=f32)).astype(f32)
    grid = base.reshape(-1, 3) @ rescaled
    gx, gy = grid[:, 0].reshape(oh, ow), grid[:, 1].reshape(oh, ow)
    ix = ((gx + f32(1)) * f32(w) - f32(1)) / f32(2)
    iy = ((gy + f32(1)) * f32(h) - f32(1)) / f32(2)
    lead = img.shape[:-2]
    flat = img.reshape(-1, h, w)

    def sample(yy, xx):
        ok = (xx >= 0) & (xx < w) & (yy >= 0) & (yy < h)
        v = flat[:, np.clip(yy, 0, h - 1), np.clip(xx, 0, w - 1)]
        return v * ok, ok.astype(f32)
    if mode == 'nearest':
        out, mask = sample(np.rint(iy).astype(np.int64), np.rint(ix).astype(np.int64))
    else:
        x0, y0 = np.floor(ix).astype(np.int64), np.floor(iy).astype(np.int64)
        wx1, wy1 = ix - x0.astype(f32), iy - y0.astype(f32)
        wx0, wy0 = f32(1) - wx1, f32(1) - wy1
        out = np.zeros((flat.shape[0], oh, ow), dtype=f32)
        mask = np.zeros((oh, ow), dtype=f32)
        for yy, xx, wgt in ((y0, x0, wy0 * wx0), (y0, x0 + 1, wy0 * wx1),
                            (y0 + 1, x0, wy1 * wx0), (y0 + 1, x0 + 1, wy1 * wx1)):
            v, ok = sample(yy, xx)
            out += v * wgt
            mask += ok * wgt
    if fill is not None:
        fills = np.asarray(fill, dtype=f32).reshape(-1, 1, 1)
        fills = np.broadcast_to(fills, (flat.shape[0] // max(1, flat.shape[0] // fills.shape[0])
                                        if fills.shape[0] > 1 else 1, 1, 1))
        fills = np.broadcast_to(np.tile(fills, (flat.shape[0] // fills.shape[0], 1, 1))
                                if fills.shape[0] > 1 else fills, out.shape)
        if mode == 'nearest':
            out = np.where(mask[None] < 0.5, fills, out)
        else:
            out = out * mask[None] + (f32(1) - mask[None]) * fills
    return _finish(out.reshape(lead + (oh, ow)), a)


def _fill_list(fill, channels):
    if fill is None:
        return None
    if isinstance(fill, numbers.Number):
        return [float(fill)] * channels
    fill = [float(f) for f in fill]
    if len(fill) not in (1, channels):
        raise ValueError_('The number of elements in \'fill\' does not match the number of '
                         'channels of the image ({} != {})'.format(len(fill), channels))
    return fill * (channels if len(fill) == 1 else 1)


def rotate(img: Any, angle: float, interpolation: Any = None, expand: bool = False,
           center: Any = None, fill: Any = None) -> Any:
    """img turned by angle degrees counter-clockwise about its center (or
    center), as torchvision's F.rotate on tensors."""
    np = _np()
    a = _array(img, 'rotate')
    h, w = a.shape[-2:]
    center_f = [0.0, 0.0] if center is None else [c - s * 0.5 for c, s in zip(center, [w, h])]
    m = _inverse_affine_matrix(center_f, -angle, [0.0, 0.0], 1.0, [0.0, 0.0])
    ow, oh = w, h
    if expand:
        pts = np.array([[-0.5 * w, -0.5 * h, 1.0], [-0.5 * w, 0.5 * h, 1.0],
                        [0.5 * w, 0.5 * h, 1.0], [0.5 * w, -0.5 * h, 1.0]], dtype=np.float32)
        new = pts @ np.array(m, dtype=np.float32).reshape(2, 3).T
        # to [0, w] x [0, h], truncated to 1e-4 (as PIL and torchvision)
        shift = np.array([w * 0.5, h * 0.5], dtype=np.float32)
        tol = np.float32(1e-4)
        cmax = np.ceil(np.trunc((new.max(axis=0) + shift) / tol) * tol)
        cmin = np.floor(np.trunc((new.min(axis=0) + shift) / tol) * tol)
        ow, oh = int((cmax - cmin)[0]), int((cmax - cmin)[1])
    return _tensor(_grid_transform(a, m, ow, oh, _mode(interpolation),
                                   _fill_list(fill, a.shape[-3] if a.ndim > 2 else 1)))


def affine(img: Any, angle: float, translate: Sequence[int], scale: float, shear: Any,
           interpolation: Any = None, fill: Any = None, center: Any = None) -> Any:
    """The affine map (rotation by angle, translation, scale, shear) of img
    about its center, as torchvision's F.affine on tensors."""
    if isinstance(shear, numbers.Number):
        shear = [shear, 0.0]
    shear = list(shear)
    if len(shear) == 1:
        shear = [shear[0], shear[0]]
    if len(shear) != 2:
        raise ValueError_('Shear should be a sequence containing two values. Got {}'
                         .format(shear))
    if scale <= 0.0:
        raise ValueError_('Argument scale should be positive')
    if len(translate) != 2:
        raise ValueError_('Argument translate should be a sequence of length 2')
    a = _array(img, 'affine')
    h, w = a.shape[-2:]
    center_f = [0.0, 0.0] if center is None else [c - s * 0.5 for c, s in zip(center, [w, h])]
    m = _inverse_affine_matrix(center_f, angle, [1.0 * t for t in translate], scale, shear)
    return _tensor(_grid_transform(a, m, w, h, _mode(interpolation),
                                   _fill_list(fill, a.shape[-3] if a.ndim > 2 else 1)))


def _setup_angle(x, name, req_sizes=(2,)):
    if isinstance(x, numbers.Number):
        if x < 0:
            raise ValueError_('If {} is a single number, it must be positive.'.format(name))
        x = [-x, x]
    else:
        if not isinstance(x, Sequence):
            raise TypeError_('{} should be a sequence of length {}.'.format(name, req_sizes))
        if len(x) not in req_sizes:
            raise ValueError_('{} should be sequence of length {}.'.format(name, req_sizes))
    return [float(d) for d in x]


# --- transforms ------------------------------------------------------------

class _Transform:
    """A Python transform: __call__(img) -> forward(img); Compose and the
    datasets accept it as any callable."""

    def __call__(self, img):
        return self.forward(img)

    def __repr__(self):
        return '%s(%s)' % (type(self).__name__, self.extra_repr())

    def extra_repr(self) -> str:
        return ''


def _pair_range(value, name, center=1.0, bound=(0, float('inf')), clip_first_on_zero=True):
    if isinstance(value, numbers.Number):
        if value < 0:
            raise ValueError_('If {} is a single number, it must be non negative.'.format(name))
        value = [center - float(value), center + float(value)]
        if clip_first_on_zero:
            value[0] = max(value[0], 0.0)
    elif isinstance(value, (tuple, list)) and len(value) == 2:
        if not bound[0] <= value[0] <= value[1] <= bound[1]:
            raise ValueError_('{} values should be between {}'.format(name, bound))
        value = [float(value[0]), float(value[1])]
    else:
        raise TypeError_('{} should be a single number or a list/tuple with length 2.'
                        .format(name))
    if value[0] == value[1] == center:
        return None
    return value


class ColorJitter(_Transform):
    """Random brightness, contrast, saturation and hue, in a random order,
    as torchvision's ColorJitter."""

    def __init__(self, brightness: Any = 0, contrast: Any = 0, saturation: Any = 0,
                 hue: Any = 0) -> None:
        self.brightness = _pair_range(brightness, 'brightness')
        self.contrast = _pair_range(contrast, 'contrast')
        self.saturation = _pair_range(saturation, 'saturation')
        self.hue = _pair_range(hue, 'hue', center=0, bound=(-0.5, 0.5),
                               clip_first_on_zero=False)

    @staticmethod
    def get_params(brightness: Any, contrast: Any, saturation: Any,
                   hue: Any) -> tuple[list[int], Any, Any, Any, Any]:
        from .creation import randperm
        fn_idx = [int(i) for i in randperm(4).tolist()]
        b = None if brightness is None else _uniform(*brightness)
        c = None if contrast is None else _uniform(*contrast)
        s = None if saturation is None else _uniform(*saturation)
        h = None if hue is None else _uniform(*hue)
        return fn_idx, b, c, s, h

    def forward(self, img: Any) -> Any:
        fn_idx, b, c, s, h = self.get_params(self.brightness, self.contrast, self.saturation,
                                             self.hue)
        for fn_id in fn_idx:
            if fn_id == 0 and b is not None:
                img = adjust_brightness(img, b)
            elif fn_id == 1 and c is not None:
                img = adjust_contrast(img, c)
            elif fn_id == 2 and s is not None:
                img = adjust_saturation(img, s)
            elif fn_id == 3 and h is not None:
                img = adjust_hue(img, h)
        return img

    def extra_repr(self) -> str:
        return 'brightness={}, contrast={}, saturation={}, hue={}'.format(
            self.brightness, self.contrast, self.saturation, self.hue)


class GaussianBlur(_Transform):
    """A Gaussian blur with a sigma drawn in [sigma_min, sigma_max], as
    torchvision's GaussianBlur."""

    def __init__(self, kernel_size: Any, sigma: Any = (0.1, 2.0)) -> None:
        ks = (kernel_size, kernel_size) if isinstance(kernel_size, numbers.Integral) \
            else tuple(kernel_size)
        for k in ks:
            if k <= 0 or k % 2 == 0:
                raise ValueError_('Kernel size value should be an odd and positive number.')
        if isinstance(sigma, numbers.Number):
            if sigma <= 0:
                raise ValueError_('If sigma is a single number, it must be positive.')
            sigma = (float(sigma), float(sigma))
        elif isinstance(sigma, Sequence) and len(sigma) == 2:
            if not 0.0 < sigma[0] <= sigma[1]:
                raise ValueError_('sigma values should be positive and of the form (min, max).')
        else:
            raise ValueError_('sigma should be a single number or a list/tuple with length 2.')
        self.kernel_size = ks
        self.sigma = tuple(sigma)

    @staticmethod
    def get_params(sigma_min: float, sigma_max: float) -> float:
        return _uniform(sigma_min, sigma_max)

    def forward(self, img: Any) -> Any:
        s = self.get_params(self.sigma[0], self.sigma[1])
        return gaussian_blur(img, self.kernel_size, [s, s])

    def extra_repr(self) -> str:
        return 'kernel_size={}, sigma={}'.format(self.kernel_size, self.sigma)


class RandomErasing(_Transform):
    """With probability p, a random rectangle of the image set to value
    (a number, per-channel numbers, or 'random' for normal noise), as
    torchvision's RandomErasing."""

    def __init__(self, p: float = 0.5, scale: Any = (0.02, 0.33), ratio: Any = (0.3, 3.3),
                 value: Any = 0, inplace: bool = False) -> None:
        if not isinstance(value, (numbers.Number, str, tuple, list)):
            raise TypeError_('Argument value should be either a number or str or a sequence')
        if isinstance(value, str) and value != 'random':
            raise ValueError_("If value is str, it should be 'random'")
        if not isinstance(scale, (tuple, list)):
            raise TypeError_('Scale should be a sequence')
        if not isinstance(ratio, (tuple, list)):
            raise TypeError_('Ratio should be a sequence')
        if (scale[0] > scale[1]) or (ratio[0] > ratio[1]):
            warnings.warn('Scale and ratio should be of kind (min, max)')
        if scale[0] < 0 or scale[1] > 1:
            raise ValueError_('Scale should be between 0 and 1')
        if p < 0 or p > 1:
            raise ValueError_('Random erasing probability should be between 0 and 1')
        self.p, self.scale, self.ratio, self.value, self.inplace = p, scale, ratio, value, inplace

    @staticmethod
    def get_params(img: Any, scale: Any, ratio: Any,
                   value: Any = None) -> tuple[int, int, int, int, Any]:
        """(i, j, h, w, v): the rectangle and its values (the image itself
        when no rectangle was found in 10 tries)."""
        from .creation import randn, tensor
        shape = img.get_shape()
        img_c, img_h, img_w = shape[-3], shape[-2], shape[-1]
        area = img_h * img_w
        log_ratio = (math.log(ratio[0]), math.log(ratio[1]))
        for _ in range(10):
            erase_area = area * _uniform(scale[0], scale[1])
            aspect_ratio = math.exp(_uniform(log_ratio[0], log_ratio[1]))
            h = int(round(math.sqrt(erase_area * aspect_ratio)))
            w = int(round(math.sqrt(erase_area / aspect_ratio)))
            if not (h < img_h and w < img_w):
                continue
            if value is None:
                v = randn(img_c, h, w)
            else:
                v = tensor(_np().asarray(value, dtype=img.numpy().dtype)).reshape(-1, 1, 1) \
                    if not isinstance(value, _GITensor) else value
            i = _randint(0, img_h - h + 1)
            j = _randint(0, img_w - w + 1)
            return i, j, h, w, v
        return 0, 0, img_h, img_w, img

    def forward(self, img: Any) -> Any:
        if _uniform(0, 1) < self.p:
            if isinstance(self.value, (int, float)):
                value = [float(self.value)]
            elif isinstance(self.value, str):
                value = None
            else:
                value = list(self.value)
            c = img.get_shape()[-3]
            if value is not None and not (len(value) in (1, c)):
                raise ValueError_('If value is a sequence, it should have either a single value '
                                 'or {} (number of input channels)'.format(c))
            x, y, h, w, v = self.get_params(img, self.scale, self.ratio, value)
            return erase(img, x, y, h, w, v)
        return img

    def extra_repr(self) -> str:
        return 'p={}, scale={}, ratio={}, value={}, inplace={}'.format(
            self.p, self.scale, self.ratio, self.value, self.inplace)


class RandomResizedCrop(_Transform):
    """A crop of random area and aspect ratio, resized to size, as
    torchvision's RandomResizedCrop (bilinear)."""

    def __init__(self, size: Any, scale: Any = (0.08, 1.0), ratio: Any = (3.0 / 4.0, 4.0 / 3.0),
                 interpolation: Any = None, antialias: bool | None = None) -> None:
        from .data import _size2
        self.size = _size2(size)
        if (scale[0] > scale[1]) or (ratio[0] > ratio[1]):
            warnings.warn('Scale and ratio should be of kind (min, max)')
        self.scale, self.ratio, self.interpolation = scale, ratio, interpolation

    @staticmethod
    def get_params(img: Any, scale: Any, ratio: Any) -> tuple[int, int, int, int]:
        shape = img.get_shape()
        height, width = shape[-2], shape[-1]
        area = height * width
        log_ratio = (math.log(ratio[0]), math.log(ratio[1]))
        for _ in range(10):
            target_area = area * _uniform(scale[0], scale[1])
            aspect_ratio = math.exp(_uniform(log_ratio[0], log_ratio[1]))
            w = int(round(math.sqrt(target_area * aspect_ratio)))
            h = int(round(math.sqrt(target_area / aspect_ratio)))
            if 0 < w <= width and 0 < h <= height:
                i = _randint(0, height - h + 1)
                j = _randint(0, width - w + 1)
                return i, j, h, w
        # fallback: a central crop
        in_ratio = float(width) / float(height)
        if in_ratio < min(ratio):
            w = width
            h = int(round(w / min(ratio)))
        elif in_ratio > max(ratio):
            h = height
            w = int(round(h * max(ratio)))
        else:
            w, h = width, height
        return (height - h) // 2, (width - w) // 2, h, w

    def forward(self, img: Any) -> Any:
        i, j, h, w = self.get_params(img, self.scale, self.ratio)
        return resized_crop(img, i, j, h, w, list(self.size), self.interpolation)

    def extra_repr(self) -> str:
        return 'size={}, scale={}, ratio={}'.format(self.size, tuple(self.scale),
                                                    tuple(self.ratio))


class RandomRotation(_Transform):
    """A rotation by an angle drawn in degrees, as torchvision's
    RandomRotation (nearest by default; bilinear; expand; fill)."""

    def __init__(self, degrees: Any, interpolation: Any = None, expand: bool = False,
                 center: Any = None, fill: Any = 0) -> None:
        self.degrees = _setup_angle(degrees, 'degrees', (2,))
        self.interpolation, self.expand, self.center, self.fill = (interpolation, expand,
                                                                   center, fill)
        _mode(interpolation)

    @staticmethod
    def get_params(degrees: Sequence[float]) -> float:
        return _uniform(float(degrees[0]), float(degrees[1]))

    def forward(self, img: Any) -> Any:
        angle = self.get_params(self.degrees)
        return rotate(img, angle, self.interpolation, self.expand, self.center, self.fill)

    def extra_repr(self) -> str:
        return 'degrees={}, expand={}, fill={}'.format(self.degrees, self.expand, self.fill)


class RandomAffine(_Transform):
    """An affine map with a random angle, translation, scale and shear, as
    torchvision's RandomAffine."""

    def __init__(self, degrees: Any, translate: Any = None, scale: Any = None,
                 shear: Any = None, interpolation: Any = None, fill: Any = 0,
                 center: Any = None) -> None:
        self.degrees = _setup_angle(degrees, 'degrees', (2,))
        if translate is not None:
            if len(translate) != 2:
                raise ValueError_('translate should be a sequence of length 2.')
            for t in translate:
                if not 0.0 <= t <= 1.0:
                    raise ValueError_('translation values should be between 0 and 1')
        if scale is not None:
            if len(scale) != 2:
                raise ValueError_('scale should be a sequence of length 2.')
            for s in scale:
                if s <= 0:
                    raise ValueError_('scale values should be positive')
        self.translate, self.scale = translate, scale
        self.shear = None if shear is None else _setup_angle(shear, 'shear', (2, 4))
        self.interpolation, self.fill, self.center = interpolation, fill, center
        _mode(interpolation)

    @staticmethod
    def get_params(degrees: Any, translate: Any, scale_ranges: Any, shears: Any,
                   img_size: Any) -> tuple[float, tuple[int, int], float, tuple[float, float]]:
        angle = _uniform(float(degrees[0]), float(degrees[1]))
        if translate is not None:
            max_dx = float(translate[0] * img_size[0])
            max_dy = float(translate[1] * img_size[1])
            translations = (int(round(_uniform(-max_dx, max_dx))),
                            int(round(_uniform(-max_dy, max_dy))))
        else:
            translations = (0, 0)
        scale = 1.0 if scale_ranges is None else _uniform(scale_ranges[0], scale_ranges[1])
        shear_x = shear_y = 0.0
        if shears is not None:
            shear_x = _uniform(shears[0], shears[1])
            if len(shears) == 4:
                shear_y = _uniform(shears[2], shears[3])
        return angle, translations, scale, (shear_x, shear_y)

    def forward(self, img: Any) -> Any:
        shape = img.get_shape()
        ret = self.get_params(self.degrees, self.translate, self.scale, self.shear,
                              [shape[-1], shape[-2]])
        return affine(img, *ret, interpolation=self.interpolation, fill=self.fill,
                      center=self.center)

    def extra_repr(self) -> str:
        return 'degrees={}, translate={}, scale={}, shear={}'.format(
            self.degrees, self.translate, self.scale, self.shear)


class PILToTensor(_Transform):
    """A PIL image as a uint8 (C, H, W) tensor (PIL: python3-pil)."""

    def forward(self, pic: Any) -> Any:
        return pil_to_tensor(pic)


class ToPILImage(_Transform):
    """A tensor or array as a PIL image (PIL: python3-pil)."""

    def __init__(self, mode: str | None = None) -> None:
        self.mode = mode

    def forward(self, pic: Any) -> Any:
        return to_pil_image(pic, self.mode)


vision_transforms = {
    'ColorJitter': ColorJitter, 'GaussianBlur': GaussianBlur, 'RandomErasing': RandomErasing,
    'RandomResizedCrop': RandomResizedCrop, 'PILToTensor': PILToTensor,
    'ToPILImage': ToPILImage, 'RandomRotation': RandomRotation, 'RandomAffine': RandomAffine,
}
vision_functional = {
    'adjust_brightness': adjust_brightness, 'adjust_contrast': adjust_contrast,
    'adjust_saturation': adjust_saturation, 'adjust_hue': adjust_hue,
    'gaussian_blur': gaussian_blur, 'erase': erase, 'resized_crop': resized_crop,
    'pil_to_tensor': pil_to_tensor, 'to_pil_image': to_pil_image, 'rotate': rotate,
    'affine': affine,
}


# --- MNIST and Fashion-MNIST with download=True ----------------------------

MNIST_MIRRORS = ['http://yann.lecun.com/exdb/mnist/',
                 'https://ossci-datasets.s3.amazonaws.com/mnist/']
MNIST_RESOURCES = [('train-images-idx3-ubyte.gz', 'f68b3c2dcbeaaa9fbdd348bbdeb94873'),
                   ('train-labels-idx1-ubyte.gz', 'd53e105ee54ea40749a09fcbcd1e9432'),
                   ('t10k-images-idx3-ubyte.gz', '9fb629c4189551a2d022fa330f9573f3'),
                   ('t10k-labels-idx1-ubyte.gz', 'ec29112dd5afa0611ce80d1b7f02629c')]
FASHION_MIRRORS = ['http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/']
FASHION_RESOURCES = [('train-images-idx3-ubyte.gz', '8d4fb7e6c68d591d4c3dfef9ec88bf0d'),
                     ('train-labels-idx1-ubyte.gz', '25c81989df183df01b3e8a0aad5dffbe'),
                     ('t10k-images-idx3-ubyte.gz', 'bef4ecab320f06d8554ea6380940ec79'),
                     ('t10k-labels-idx1-ubyte.gz', 'bb300cfdad3c16e7a12a480ee83cd310')]


def _has_idx(folder, train):
    prefix = 'train' if train else 't10k'
    for kind in ('images-idx3-ubyte', 'labels-idx1-ubyte'):
        name = os.path.join(folder, '%s-%s' % (prefix, kind))
        if not (os.path.isfile(name) or os.path.isfile(name + '.gz')):
            return False
    return True


def mnist_root(root: str, name: str, train: bool, download: bool, mirrors: list[str],
               resources: list[tuple[str, str]]) -> str:
    """The folder to read: root/<name>/raw or root when the files of the
    split are there; else, with download, root/<name>/raw after
    downloading them there (from the first mirror that answers, checking
    their MD5)."""
    raw = os.path.join(root, name, 'raw')
    for folder in (raw, root):
        if os.path.isdir(folder) and _has_idx(folder, train):
            return folder
    if not download:
        return raw if os.path.isdir(raw) else root
    os.makedirs(raw, exist_ok=True)
    from gi.repository import GLib
    for filename, md5 in resources:
        path = os.path.join(raw, filename)
        errors = []
        for mirror in mirrors:
            try:
                Lt.download_file(mirror + filename, path, md5, None, None)
                break
            except GLib.Error as e:
                errors.append('%s%s: %s' % (mirror, filename, e.message))
        else:
            raise RuntimeError_('%s: the files are not in %s and could not be downloaded:\n%s'
                               % (name, raw, '\n'.join(errors)))
    return raw


# --- Lt.backends -----------------------------------------------------------

class _Flags:
    """torch.backends.cudnn's flags: settable, and not used by libtensor."""

    def __init__(self):
        self.enabled = True
        self.benchmark = False
        self.deterministic = False
        self.allow_tf32 = True

    @staticmethod
    def is_available() -> bool:
        """False: libtensor does not use cuDNN."""
        return False

    @staticmethod
    def version() -> None:
        return None


_cudnn = _Flags()
_cudnn.__doc__ = 'torch.backends.cudnn: libtensor does not use cuDNN (is_available() is False).'

backends = namespace('Lt.backends', 'torch.backends for libtensor.', {
    'cudnn': _cudnn,
    'mps': namespace('Lt.backends.mps', 'torch.backends.mps: no Apple GPU backend.', {
        'is_available': lambda: False, 'is_built': lambda: False}),
})

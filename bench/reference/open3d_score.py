"""The Open3D script a user would otherwise write to score one prediction (used by `npm run bench`).

Steps, as in facebench's nersemble protocol: Umeyama similarity on the 7 landmarks, point-to-plane
ICP of the GT cloud against the prediction (Open3D's registration_icp, rigid, 10 mm correspondences,
relative change 1e-6, 100 iterations; the prediction surface is sampled densely since Open3D's ICP
works on point clouds), then GT-to-surface closest points with RaycastingScene.

usage: python3 open3d_score.py PRED.ply GT.ply PRED_LM.json GT_LM.json
prints one JSON line: {"seconds": ..., "l2": ..., "l1": ..., "nc": ..., "r2_5": ...}
"""
import json
import sys
import time

import numpy as np
import open3d as o3d


def umeyama(src, dst):
    mu_s, mu_d = src.mean(0), dst.mean(0)
    a, b = src - mu_s, dst - mu_d
    cov = b.T @ a / len(src)
    u, d, vt = np.linalg.svd(cov)
    s = np.eye(3)
    if np.linalg.det(u) * np.linalg.det(vt) < 0:
        s[2, 2] = -1
    rot = u @ s @ vt
    scale = np.trace(np.diag(d) @ s) / (a ** 2).sum(1).mean()
    return scale, rot, mu_d - scale * rot @ mu_s


def main():
    pred_path, gt_path, pred_lm_path, gt_lm_path = sys.argv[1:5]
    start = time.perf_counter()
    mesh = o3d.io.read_triangle_mesh(pred_path)
    gt = o3d.io.read_point_cloud(gt_path)
    pred_lm = np.asarray(json.load(open(pred_lm_path)), dtype=np.float64)
    gt_lm = np.asarray(json.load(open(gt_lm_path)), dtype=np.float64)

    scale, rot, trans = umeyama(pred_lm, gt_lm)
    verts = np.asarray(mesh.vertices) * scale @ rot.T + trans
    mesh.vertices = o3d.utility.Vector3dVector(verts)
    mesh.compute_triangle_normals()
    target = mesh.sample_points_uniformly(number_of_points=200_000, use_triangle_normal=True)

    result = o3d.pipelines.registration.registration_icp(
        gt, target, 10.0, np.eye(4),
        o3d.pipelines.registration.TransformationEstimationPointToPlane(),
        o3d.pipelines.registration.ICPConvergenceCriteria(relative_fitness=1e-6, relative_rmse=1e-6, max_iteration=100),
    )
    # Move the prediction onto the GT (inverse of the GT->prediction transform).
    mesh.transform(np.linalg.inv(result.transformation))
    mesh.compute_triangle_normals()

    scene = o3d.t.geometry.RaycastingScene()
    scene.add_triangles(o3d.t.geometry.TriangleMesh.from_legacy(mesh))
    points = np.asarray(gt.points, dtype=np.float32)
    answer = scene.compute_closest_points(o3d.core.Tensor(points))
    closest = answer['points'].numpy().astype(np.float64)
    diff = np.asarray(gt.points) - closest
    l2 = np.linalg.norm(diff, axis=1)
    out = {'l1': float(np.abs(diff).sum(1).mean()), 'l2': float(l2.mean()), 'r2_5': float((l2 <= 2.5).mean())}
    if gt.has_normals():
        face_normals = answer['primitive_normals'].numpy()
        out['nc'] = float(np.abs((np.asarray(gt.normals) * face_normals).sum(1)).mean())
    out['seconds'] = time.perf_counter() - start
    out['icp_iterations_cap'] = 100
    print(json.dumps(out))


if __name__ == '__main__':
    main()

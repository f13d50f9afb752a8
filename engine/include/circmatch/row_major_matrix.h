// The row-major float matrix of the dense (embedding) paths: one profile per row, so a row's values lie side by
// side in memory, as a scan over candidates reads them.
#ifndef CIRCMATCH_ROW_MAJOR_MATRIX_H_
#define CIRCMATCH_ROW_MAJOR_MATRIX_H_

#include <Eigen/Core>

namespace circmatch {

using RowMajorMatrixXf = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

}  // namespace circmatch

#endif  // CIRCMATCH_ROW_MAJOR_MATRIX_H_

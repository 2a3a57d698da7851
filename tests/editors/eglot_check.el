;;; eglot_check.el --- Drive headless Emacs + eglot with editors/emacs/trigger-lsp.el  -*- lexical-binding: t; -*-
;;; Run: emacs --batch -l eglot_check.el   with TRIGGER_LSP_WS, TRIGGER_LSP_REPORT, TRIGGER_LSP_EMACS_DIR set.
;;; Writes what it saw as JSON for test_emacs.py.

(require 'package)
(package-initialize)                    ; activates Debian's elpa-eglot on Emacs 28
(require 'json)
(add-to-list 'load-path (getenv "TRIGGER_LSP_EMACS_DIR"))
(require 'trigger-lsp)                  ; the shipped configuration

(defvar check-ws (file-name-as-directory (getenv "TRIGGER_LSP_WS")))
(defvar check-t0 (float-time))
(defvar check-report (make-hash-table :test 'equal))
(defvar check-log nil)

(defun check-log (fmt &rest args)
  (push (format "[%dms] %s" (round (* 1000 (- (float-time) check-t0))) (apply #'format fmt args))
        check-log))

(defun check-put (key value) (puthash key value check-report))

(defun check-finish ()
  (check-put "log" (vconcat (reverse check-log)))
  (with-temp-file (getenv "TRIGGER_LSP_REPORT")
    (insert (json-encode check-report)))
  (ignore-errors (eglot-shutdown-all))
  (kill-emacs 0))

(defun check-wait (secs pred)
  (let ((deadline (+ (float-time) secs)))
    (while (and (not (funcall pred)) (< (float-time) deadline))
      (accept-process-output nil 0.05))
    (funcall pred)))

(defun check-diagnostics ()
  "This buffer's flymake diagnostics with their LSP code (batch mode never runs flymake by itself)."
  (ignore-errors (flymake-start))
  (mapcar (lambda (d)
            (let ((lsp (cdr (assoc 'eglot-lsp-diag (flymake-diagnostic-data d)))))
              `(("line" . ,(line-number-at-pos (flymake-diagnostic-beg d)))
                ("code" . ,(plist-get lsp :code))
                ("source" . ,(plist-get lsp :source))
                ("message" . ,(flymake-diagnostic-text d)))))
          (flymake-diagnostics)))

(defun check-find (code)
  (cl-find-if (lambda (d) (equal (cdr (assoc "code" d)) code)) (check-diagnostics)))

(defun check-goto (line col)
  (goto-char (point-min))
  (forward-line (1- line))
  (move-to-column (1- col)))

;; Emacs 28 has no TypeScript mode; stand in for typescript-mode from MELPA.
(unless (fboundp 'typescript-mode)
  (define-derived-mode typescript-mode prog-mode "TypeScript")
  (add-to-list 'auto-mode-alist '("\\.ts\\'" . typescript-mode)))
(add-hook 'typescript-mode-hook #'trigger-lsp-ensure)   ; what a user's init file does
(add-hook 'js-mode-hook #'trigger-lsp-ensure)           ; Emacs 28 opens package.json in js-mode
(setq eglot-sync-connect t)

(defun check-main ()
  ;; 1. open month-end.ts; eglot-ensure connects on the next command loop (simulated here)
  (find-file (concat check-ws "src/trigger/month-end.ts"))
  (check-put "major_mode" (symbol-name major-mode))
  (run-hooks 'post-command-hook)
  (unless (check-wait 20 (lambda () (eglot-current-server)))
    (error "eglot did not connect"))
  (check-put "project_root" (expand-file-name (project-root (eglot--project (eglot-current-server)))))
  (check-put "server_class" (symbol-name (eieio-object-class (eglot-current-server))))
  (check-put "client" `(("snippets" . ,(if (eglot--snippet-expansion-fn) t :json-false))))
  (check-log "connected")
  (check-wait 20 (lambda () (and (check-find "parallel-waits") (check-find "duplicate-task-id"))))
  (check-put "diagnostics" (vconcat (check-diagnostics)))
  (check-log "diagnostics: %d" (length (check-diagnostics)))

  ;; 2. hover on the parallel-waits finding, as eldoc asks for it
  (let ((pw (check-find "parallel-waits")))
    (check-goto (if pw (cdr (assoc "line" pw)) 62) 32))
  (let* ((hover (jsonrpc-request (eglot--current-server-or-lose) :textDocument/hover
                                 (eglot--TextDocumentPositionParams)))
         (contents (plist-get hover :contents)))
    (check-put "hover" (cond ((null hover) nil)
                             ((stringp contents) contents)
                             ((plist-get contents :value))
                             (t (format "%S" contents))))
    (check-log "hover answered: %s" (and hover t)))

  ;; 3. completion through eglot's completion-at-point function, on a new top-level line
  (goto-char (point-max))
  (insert "\ntr-task")
  (let* ((capf (eglot-completion-at-point))
         (candidates (and capf (all-completions "" (nth 2 capf)))))
    (check-put "completion"
               (vconcat (mapcar (lambda (c)
                                  (let ((item (get-text-property 0 'eglot--lsp-item c)))
                                    `(("label" . ,(substring-no-properties c))
                                      ("format" . ,(plist-get item :insertTextFormat))
                                      ("text" . ,(or (plist-get (plist-get item :textEdit) :newText)
                                                     (plist-get item :insertText))))))
                                candidates)))
    (check-log "completion items: %d" (length candidates)))
  (delete-region (- (point) (length "\ntr-task")) (point))

  ;; 4. quick fix: hardcoded-secret-key in route.ts, applied the way eglot-code-actions does
  (find-file (concat check-ws "src/app/api/invoices/route.ts"))
  (run-hooks 'post-command-hook)
  (check-wait 20 (lambda () (and (eglot-current-server) (check-find "hardcoded-secret-key"))))
  (check-put "route_before" (check-line 6))
  (let ((secret (check-find "hardcoded-secret-key")))
    (unless secret (error "no hardcoded-secret-key diagnostic in route.ts"))
    (check-goto 6 60)
    (let* ((actions (eglot-code-actions (line-beginning-position) (line-end-position) "quickfix"))
           (fix (cl-find-if (lambda (a)
                              (and (plist-get a :edit)
                                   (not (string-match-p "\\`\\(Ignore\\|Explain\\)" (plist-get a :title)))))
                            actions)))
      (check-put "code_actions" (vconcat (mapcar (lambda (a) (plist-get a :title)) actions)))
      (unless fix (error "no fix among the code actions"))
      (check-put "applied" (plist-get fix :title))
      (eglot--apply-workspace-edit (plist-get fix :edit))))
  (check-put "route_after" (check-line 6))
  ;; eglot sends didChange from an idle timer, and batch Emacs is never idle: send it now
  (eglot--signal-textDocument/didChange)
  (check-wait 10 (lambda () (not (check-find "hardcoded-secret-key"))))
  (check-put "route_diagnostics_after" (vconcat (check-diagnostics)))
  (check-log "quick fix done")

  ;; 5. package.json: managed by the same server; a CLI pin that differs from the SDK's, typed in
  (find-file (concat check-ws "package.json"))
  (run-hooks 'post-command-hook)
  (check-wait 10 (lambda () (eglot-current-server)))
  (check-put "package_json_managed" (if (eglot-current-server) t :json-false))
  (when (eglot-current-server)
    (goto-char (point-min))
    (when (search-forward "\"trigger.dev\": \"4.8.3\"" nil t)
      (replace-match "\"trigger.dev\": \"4.7.0\"" t t))
    (eglot--signal-textDocument/didChange)
    (check-wait 10 (lambda () (check-find "sdk-version-mismatch")))
    (check-put "package_json_diagnostics" (vconcat (check-diagnostics))))
  (check-log "package.json done"))

(defun check-line (n)
  (save-excursion
    (goto-char (point-min))
    (forward-line (1- n))
    (buffer-substring-no-properties (line-beginning-position) (line-end-position))))

(condition-case err
    (check-main)
  (error (check-put "error" (format "%S" err))))
(check-finish)
